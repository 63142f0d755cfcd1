#!/usr/bin/env bash
# Re-fetch GraphiQL and React into the package (maintainers only: users need no npm).
# Bumping a version: change it here, in the folder names and in web/static/graphiql.html.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
  graphiql@3.8.3 react@18.3.1 react-dom@18.3.1 @graphiql/plugin-explorer@1.0.2 >/dev/null)
n=$tmp/node_modules
v=src/microcred_hub/web/static/vendor
install -D -m 644 -t "$v/graphiql-3.8.3" \
  "$n/graphiql/graphiql.min.js" "$n/graphiql/graphiql.min.css" "$n/graphiql/LICENSE"
install -D -m 644 -t "$v/graphiql-plugin-explorer-1.0.2" \
  "$n/@graphiql/plugin-explorer/dist/index.umd.js" "$n/@graphiql/plugin-explorer/dist/style.css"
install -D -m 644 "$n/graphiql/LICENSE" "$v/graphiql-plugin-explorer-1.0.2/LICENSE"
install -D -m 644 -t "$v/react-18.3.1" "$n/react/umd/react.production.min.js" "$n/react/LICENSE"
install -D -m 644 -t "$v/react-dom-18.3.1" \
  "$n/react-dom/umd/react-dom.production.min.js" "$n/react-dom/LICENSE"
