// The dashboard is a client of the public GraphQL API like any other. Its documents come from
// queries.json, the persisted-query manifest the hub also allow-lists, so a hub that runs only
// listed queries (persisted_only) still serves this page.

let operations = null; // one fetch of the manifest, shared by the panels' parallel requests

function load() {
  operations ??= fetch("static/dashboard/queries.json").then(async (response) => {
    if (!response.ok) throw new Error(`queries.json: HTTP ${response.status}`);
    const manifest = await response.json();
    return new Map(manifest.operations.map((op) => [op.name, op]));
  });
  return operations;
}

/** Run a listed operation; resolves to `data`, rejects with the errors' messages. */
export async function run(name, variables) {
  const op = (await load()).get(name);
  if (!op) throw new Error(`unknown operation ${name}`);
  const response = await fetch("graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json;q=0.9",
    },
    body: JSON.stringify({
      query: op.body,
      operationName: name,
      variables,
      extensions: { persistedQuery: { version: 1, sha256Hash: op.id } },
    }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`HTTP ${response.status} from /graphql`);
  }
  if (body.errors && body.errors.length) {
    throw new Error(body.errors.map((e) => e.message).join("; "));
  }
  if (!response.ok) throw new Error(`HTTP ${response.status} from /graphql`);
  return body.data;
}
