"""Rewrite the dashboard's persisted-query manifest (queries.json) from queries.graphql.

Run after editing queries.graphql; a test fails while the two disagree.
    python scripts/dashboard_queries.py
"""

from __future__ import annotations

import msgspec

from microcred_hub.web import DASHBOARD_QUERIES, DASHBOARD_SOURCE, build_manifest


def main() -> None:
    manifest = build_manifest(DASHBOARD_SOURCE.read_text(encoding="utf-8"))
    text = msgspec.json.format(msgspec.json.encode(manifest), indent=2)
    DASHBOARD_QUERIES.write_bytes(text + b"\n")
    print(f"wrote {DASHBOARD_QUERIES}")


if __name__ == "__main__":
    main()
