"""Record granularity: which nodes of an ELM document become records, and under which id.

One record per learning achievement specification (``LearningAchievementSpecification`` or
``Qualification``) found in the document:

- in a credential (``VerifiableCredential`` / ``EuropeanDigitalCredential``), the
  ``specifiedBy`` of every claim in ``credentialSubject.hasClaim`` (and the claims' ``hasPart``);
  a ``LearningAchievement`` claim with no ``specifiedBy`` stands for its own specification;
- in a ``LearningOpportunity``, its ``learningAchievementSpecification``;
- a standalone specification document, or every such node of a JSON-LD ``@graph``;
- and, in each case, the specifications in a specification's ``hasPart``.

Only when a document holds no achievement specification at all (a certificate of participation
in a webinar) do its ``LearningActivitySpecification`` nodes become records instead. A document
with neither still yields one raw record, which ``normalise`` quarantines with the reason.

Each record travels as an *envelope*: the specification plus the nodes around it that say who
awarded it and how it was assessed and delivered (the claim, the credential's issuer, dates and
display title, the learning opportunity), with images and personal data left out.

Ids: the specification's ``id`` URI. EDC tools number nodes per document (``urn:epass:
qualification:1`` in every credential they build), so such ids, and blank nodes (``_:b0``), are
qualified by the enclosing credential's id (else the document's own id, else its URL):
``urn:credential:3ef0…#urn:epass:qualification:1``.
"""

from __future__ import annotations

import re

from microcred_hub.sdk import JSON, JSONObject, as_list

from .nodes import node_id, nodes, types

ACHIEVEMENT_SPECS = frozenset({"LearningAchievementSpecification", "Qualification"})
ACTIVITY_SPECS = frozenset({"LearningActivitySpecification"})
CREDENTIALS = frozenset({"VerifiableCredential", "EuropeanDigitalCredential"})
_DOCUMENT_SCOPED_ID = re.compile(r"(?:urn:epass:[A-Za-z]+:\d+|_:.*)")
# Links to other specifications that are not part of this one (and may loop back to it).
_NOT_EMBEDDED = frozenset(
    {"isPartOf", "entitlesTo", "entitledBy", "specialisationOf", "generalisationOf",
     "influences", "proves"}
)  # fmt: skip
# Heavy or personal parts no record needs: base64 images, the learner.
# hasPart: each part is a record of its own.
_DROPPED = frozenset(
    {"logo", "image", "bannerImage", "credentialSubject", "individualDisplay", "hasPart"}
)
_CREDENTIAL_KEYS = (
    "id", "type", "credentialProfiles", "displayParameter", "issuer",
    "validFrom", "validUntil", "issuanceDate", "issued", "expirationDate",
)  # fmt: skip
_MAX_DEPTH = 24


def _slim(value: JSON, index: dict[str, JSONObject], path: frozenset[str], depth: int) -> JSON:
    """Copy without images or personal data; references to indexed nodes embedded once per path."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, list):
        return [_slim(item, index, path, depth + 1) for item in value]
    if isinstance(value, str) and value in index and value not in path:
        return _slim(index[value], index, path, depth + 1)
    if not isinstance(value, dict):
        return value
    if "MediaObject" in types(value):
        return None
    ident = node_id(value)
    if ident is not None and set(value) <= {"id", "@id", "type", "@type"} and ident in index:
        value = index[ident]  # a stub: {"id": ..., "type": ...} pointing into the @graph
    inner = path | {ident} if ident else path
    out: JSONObject = {}
    for key, item in value.items():
        if key in _DROPPED:
            continue
        if key in _NOT_EMBEDDED or key in ("id", "@id", "type", "@type"):
            out[key] = item
        else:
            out[key] = _slim(item, index, inner, depth + 1)
    return out


def _index(roots: list[JSONObject]) -> dict[str, JSONObject]:
    """Nodes with more than an id and a type, by id (a @graph refers to them by id)."""
    found: dict[str, JSONObject] = {}
    stack: list[JSON] = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            ident = node_id(item)
            if ident and not set(item) <= {"id", "@id", "type", "@type"}:
                found.setdefault(ident, item)
            stack.extend(item.values())
    return found


class _Collector:
    def __init__(self, url: str, index: dict[str, JSONObject]) -> None:
        self.url = url
        self.index = index
        self.found: dict[str, tuple[str, JSONObject]] = {}  # spec key -> (kind, envelope)
        self.seen: set[str | None] = set()  # spec ids already reached from a claim/opportunity

    def _spec(self, value: JSON) -> JSONObject | None:
        if isinstance(value, str):
            return self.index.get(value)
        if isinstance(value, dict):
            ident = node_id(value)
            if ident and set(value) <= {"id", "@id", "type", "@type"}:
                return self.index.get(ident, value)
            return value
        return None

    def _claim(self, claim: JSONObject | None, spec: JSONObject) -> JSON:
        if claim is None or claim is spec:
            return None  # a claim standing for its own specification is already the envelope's
        rest = {key: value for key, value in claim.items() if key != "specifiedBy"}
        return _slim(rest, self.index, frozenset(), 0)

    def add(
        self,
        value: JSON,
        *,
        scope: str,
        claim: JSONObject | None = None,
        credential: JSONObject | None = None,
        opportunity: JSONObject | None = None,
        depth: int = 0,
    ) -> None:
        spec = self._spec(value)
        if spec is None or depth > _MAX_DEPTH:
            return
        self.seen.add(node_id(spec))
        kinds = types(spec)
        kind = "activity" if kinds & (ACTIVITY_SPECS | {"LearningActivity"}) else "achievement"
        ident = node_id(spec)
        local_id = ident
        if ident is not None and _DOCUMENT_SCOPED_ID.fullmatch(ident):
            local_id = f"{scope}#{ident}"
        key = local_id or f"#{len(self.found)}"
        if key in self.found:
            return
        envelope: JSONObject = {
            "localId": local_id,
            "kind": kind,
            "specification": _slim(spec, self.index, frozenset(), 0),
            "claim": self._claim(claim, spec),
            "credential": credential,
            "opportunity": _slim(opportunity, self.index, frozenset(), 0) if opportunity else None,
        }
        self.found[key] = (kind, envelope)
        for part in as_list(spec.get("hasPart")):
            part_node = self._spec(part)
            if part_node is not None and types(part_node) & (ACHIEVEMENT_SPECS | ACTIVITY_SPECS):
                self.add(part_node, scope=scope, credential=credential,
                         opportunity=opportunity, depth=depth + 1)  # fmt: skip

    def claims(self, value: JSON, scope: str, credential: JSONObject, depth: int = 0) -> None:
        for claim in as_list(value):
            node = self._spec(claim)
            if node is None or depth > _MAX_DEPTH:
                continue
            specs = [s for s in as_list(node.get("specifiedBy")) if self._spec(s) is not None]
            if not specs and "LearningAchievement" in types(node):
                self.add(node, scope=scope, claim=node, credential=credential)
            for spec in specs:
                self.add(spec, scope=scope, claim=node, credential=credential)
            self.claims(node.get("hasPart"), scope, credential, depth + 1)

    def root(self, root: JSONObject) -> None:
        kinds = types(root)
        scope = node_id(root) or self.url
        if kinds & CREDENTIALS or "credentialSubject" in root:
            credential: JSONObject = {
                key: _slim(root[key], self.index, frozenset(), 0)
                for key in _CREDENTIAL_KEYS
                if key in root
            }
            for subject in nodes(root.get("credentialSubject")):
                self.claims(subject.get("hasClaim"), scope, credential)
        elif "LearningOpportunity" in kinds:
            for key in ("learningAchievementSpecification", "learningActivitySpecification"):
                for spec in as_list(root.get(key)):
                    self.add(spec, scope=scope, opportunity=root)
        elif kinds & (ACHIEVEMENT_SPECS | ACTIVITY_SPECS) and node_id(root) not in self.seen:
            # standalone: the document (its URL) is the scope of a document-scoped id
            self.add(root, scope=self.url)


def envelopes(data: JSON, url: str) -> list[JSONObject]:
    """The records of one document (see the module docstring), or the document itself when it
    holds none, so that ``normalise`` can quarantine it with a reason."""
    if not isinstance(data, dict):
        return [{"document": data}]
    graph = data.get("@graph")
    roots = nodes(graph) if isinstance(graph, list) else [data]
    collector = _Collector(url, _index(roots))
    # Credentials and opportunities first: a @graph also lists the specifications they point to,
    # which must keep the context (awarding body, dates) of what points to them.
    for root in sorted(
        roots, key=lambda node: bool(types(node) & (ACHIEVEMENT_SPECS | ACTIVITY_SPECS))
    ):
        collector.root(root)
    found = list(collector.found.values())
    achievements = [envelope for kind, envelope in found if kind == "achievement"]
    return achievements or [envelope for _, envelope in found] or [data]
