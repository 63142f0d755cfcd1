// Compose the supergraph from the subgraphs' own SDL (`_service { sdl }`) with
// @apollo/composition, then serve it with @apollo/gateway, as a supergraph operator would.
// Usage: node gateway.mjs PORT name=URL [name=URL ...]
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { composeServices } from "@apollo/composition";
import { ApolloGateway } from "@apollo/gateway";
import { parse } from "graphql";

const port = Number(process.argv[2]);
const subgraphs = [];
for (const arg of process.argv.slice(3)) {
  const [name, url] = arg.split("=");
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = await response.json();
  if (!body.data) throw new Error(`${name}: no SDL: ${JSON.stringify(body)}`);
  subgraphs.push({ name, url, typeDefs: parse(body.data._service.sdl) });
}

const composed = composeServices(subgraphs);
if (composed.errors) {
  console.error("COMPOSITION FAILED");
  for (const error of composed.errors) console.error(error.message);
  process.exit(3);
}
for (const hint of composed.hints ?? []) console.log(`hint: ${hint.message}`);

const gateway = new ApolloGateway({ supergraphSdl: composed.supergraphSdl });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port } });
console.log(`gateway ready at ${url}`);
