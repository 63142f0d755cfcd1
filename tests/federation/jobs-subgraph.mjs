// A second subgraph, as an organisation that already runs a supergraph would have one: job
// postings that point at micro-credentials by id (the hub resolves the rest).
// Usage: node jobs-subgraph.mjs PORT '[{"id": "...", "title": "...", "credentialIds": ["..."]}]'
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

const port = Number(process.argv[2]);
const postings = JSON.parse(process.argv[3]);

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type JobPosting @key(fields: "id") {
    id: ID!
    title: String!
    recognises: [Microcredential]!
  }

  type Microcredential @key(fields: "id", resolvable: false) {
    id: ID!
  }

  type Query {
    jobPostings: [JobPosting!]!
  }
`);

const resolvers = {
  Query: { jobPostings: () => postings },
  JobPosting: {
    recognises: (posting) => posting.credentialIds.map((id) => ({ __typename: "Microcredential", id })),
  },
};

const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }) });
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port } });
console.log(`jobs subgraph ready at ${url}`);
