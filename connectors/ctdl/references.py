"""Organisations a record references but its own document lacks, found for ``normalise``.

A registry resource names its owner by URL (``ownedBy: ["https://…/resources/ce-…"]``); the
organisation is its own resource (its own envelope on the listing, or only reachable by that
URL). ``fetch`` therefore adds the organisation node to the raw record, so that ``normalise``
stays pure: from organisations seen anywhere in this harvest, else by one GET of the URL
(cached, failures included, and capped per harvest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microcred_hub.sdk import JSON, FetchError, JSONObject, RawRecord, as_list

from .graph import (
    ORGANISATION_PROPERTIES,
    ctid_in,
    ctid_of,
    index_nodes,
    is_organisation,
    nodes_of,
    resolve,
    split_document,
)

if TYPE_CHECKING:
    from microcred_hub.sdk import HarvestContext


class References:
    """Per-harvest cache of organisation nodes, by ``@id`` and by CTID."""

    def __init__(self, ctx: HarvestContext, fetch_missing: bool, max_fetches: int) -> None:
        self._ctx = ctx
        self._fetch_missing = fetch_missing
        self._budget = max_fetches
        self._known: dict[str, JSONObject] = {}
        self._tried: set[str] = set()

    def learn(self, document: JSON, related: list[JSONObject] | None = None) -> None:
        for node in [*nodes_of(document), *(related or [])]:
            if not is_organisation(node):
                continue
            node_id = node.get("@id")
            if isinstance(node_id, str) and not node_id.startswith("_:"):
                self._known.setdefault(node_id, node)
            ctid = ctid_of(node)
            if ctid:
                self._known.setdefault(ctid.lower(), node)

    def split(
        self, document: JSON, url: str, envelope: JSONObject | None = None
    ) -> list[RawRecord]:
        return split_document(document, source_url=url, envelope=envelope)

    async def complete(self, raw: RawRecord) -> RawRecord:
        """``raw`` with the organisations it references appended to its graph."""
        graph = raw.data.get("@graph")
        if not isinstance(graph, list) or not graph or not isinstance(graph[0], dict):
            return raw
        record = graph[0]
        present = index_nodes([n for n in graph if isinstance(n, dict)])
        extra: list[JSONObject] = []
        wanted: dict[str, None] = {}
        for prop in ORGANISATION_PROPERTIES:
            for ref in as_list(record.get(prop)):
                if isinstance(ref, str) and resolve(ref, present) is None:
                    wanted[ref] = None
        for ref in wanted:
            node = resolve(ref, self._known) or await self._fetch(ref)
            if node is not None:
                extra.append(node)
        if not extra:
            return raw
        data: JSONObject = {**raw.data, "@graph": [*graph, *extra]}
        return RawRecord(data=data, local_id=raw.local_id, source_url=raw.source_url)

    async def _fetch(self, ref: str) -> JSONObject | None:
        if (
            not self._fetch_missing
            or ref in self._tried
            or not ref.startswith(("http://", "https://"))
            or len(self._tried) >= self._budget
        ):
            return None
        self._tried.add(ref)
        try:
            body = await self._ctx.fetcher.get_json(ref)
        except FetchError:
            return None  # normalise says which organisation stayed unresolved
        self._ctx.page(ref)
        nodes = nodes_of(body)
        wanted_ctid = ctid_in(ref)
        for node in nodes:
            if node.get("@id") == ref or (
                wanted_ctid and (ctid_of(node) or "").lower() == wanted_ctid
            ):
                self.learn(node)
                return node
        organisations = [n for n in nodes if is_organisation(n)]
        if len(organisations) == 1:
            self.learn(organisations[0])
            return organisations[0]
        return None
