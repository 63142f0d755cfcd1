// GraphiQL's start-up, kept out of the page so the Content-Security-Policy can forbid inline
// scripts. The query and variables live in the URL so a view can be shared: as ?q=, because
// ?query= on /graphql runs the query instead of showing GraphiQL.
"use strict";

(function () {
  const params = new URLSearchParams(window.location.search);
  const endpoint = window.location.pathname;

  function remember(name, value) {
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(name, value);
    else next.delete(name);
    const search = next.toString();
    window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  const fetcher = GraphiQL.createFetcher({ url: endpoint });
  const explorer = GraphiQLPluginExplorer.explorerPlugin();
  const initialQuery =
    params.get("q") ||
    "# Ctrl-Enter runs the query; the Docs button lists every field.\n" +
      "{\n  microcredentials(first: 5) {\n    totalCount\n" +
      "    edges { node { id title issuerCountry workload { ects hours } level { eqf } } }\n" +
      "  }\n}\n";

  function App() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: initialQuery,
      query: params.get("q") || undefined,
      variables: params.get("variables") || undefined,
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      onEditQuery: (text) => remember("q", text),
      onEditVariables: (text) => remember("variables", text),
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
})();
