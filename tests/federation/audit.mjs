// The GraphQL-over-HTTP conformance audit (graphql-http's auditServer) against a running hub.
// Usage: node audit.mjs URL  -> prints one JSON line per audit: {id, name, status, reason}
import { auditServer } from "graphql-http";

const results = await auditServer({ url: process.argv[2] });
for (const result of results) {
  const reason = result.status === "ok" ? "" : result.reason;
  console.log(JSON.stringify({ id: result.id, name: result.name, status: result.status, reason }));
}
