"""CTDL documents as graphs: which nodes are records, and what each record carries along.

Pure helpers shared by ``fetch`` (to split documents into raw records) and ``normalise`` (to
resolve references inside one raw record). A raw record is itself a small CTDL graph: the record
node first, then every non-record node of its document (organisations, blank nodes,
competencies) so that ``normalise`` needs nothing but the raw record to resolve ``_:`` ids.
"""

from __future__ import annotations

import re

from microcred_hub.sdk import JSON, JSONObject, RawRecord

#: CTDL classes that are one record each (RECORD.md credential-type table plus the degree and
#: other credential classes, which map to OTHER).
RECORD_TYPES: frozenset[str] = frozenset(
    {
        "ceterms:MicroCredential",
        "ceterms:Certificate",
        "ceterms:Certification",
        "ceterms:OpenBadge",
        "ceterms:DigitalBadge",
        "ceterms:Badge",
        "ceterms:LearningProgram",
        "ceterms:Course",
        "ceterms:LearningOpportunityProfile",
    }
)
# Every other credential class: ApprenticeshipCertificate, BachelorDegree, MasterDegree,
# ProfessionalDoctorate, SecondarySchoolDiploma, License, QualityAssuranceCredential, ...
_CREDENTIAL_CLASS = re.compile(
    r"ceterms:\w*(?:Credential|Degree|Certificate|Diploma|Doctorate|Badge|License)"
)
_ORGANISATION_CLASS = re.compile(r"ceterms:\w*Organization")
#: properties whose values are organisations the record needs (awarding body, QA)
ORGANISATION_PROPERTIES: tuple[str, ...] = (
    "ceterms:ownedBy",
    "ceterms:offeredBy",
    "ceterms:accreditedBy",
    "ceterms:approvedBy",
    "ceterms:recognizedBy",
    "ceterms:regulatedBy",
)
# Current CTIDs ("ce-" + UUID) and the legacy URN form, as they appear at the end of an @id.
_CTID = re.compile(
    r"(?:ce-|urn:ctid:)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    re.IGNORECASE,
)


def types_of(node: JSONObject) -> list[str]:
    """The node's ``@type`` as a list of strings (JSON-LD allows one string or a list)."""
    value = node.get("@type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def is_record(node: JSONObject) -> bool:
    """True for credentials, learning opportunities, programmes and courses."""
    return any(t in RECORD_TYPES or _CREDENTIAL_CLASS.fullmatch(t) for t in types_of(node))


def is_organisation(node: JSONObject) -> bool:
    return any(_ORGANISATION_CLASS.fullmatch(t) for t in types_of(node))


def ctid_of(node: JSONObject) -> str | None:
    """``ceterms:ctid`` as given, else the CTID at the end of ``@id``; None when neither."""
    ctid = node.get("ceterms:ctid")
    if isinstance(ctid, str) and ctid.strip():
        return ctid.strip()
    node_id = node.get("@id")
    if isinstance(node_id, str):
        match = _CTID.search(node_id)
        if match is not None and node_id.endswith(match.group(0)):
            return match.group(0)
    return None


def ctid_in(reference: str) -> str | None:
    """The CTID a reference URI ends in (".../resources/ce-…"), lower-cased for matching."""
    match = _CTID.search(reference)
    return match.group(0).lower() if match is not None else None


def nodes_of(document: JSON) -> list[JSONObject]:
    """The nodes of one CTDL document: its ``@graph`` entries, or the document itself."""
    if not isinstance(document, dict):
        return []
    graph = document.get("@graph")
    if isinstance(graph, list):
        return [node for node in graph if isinstance(node, dict)]
    return [document]


def split_document(
    document: JSON,
    *,
    source_url: str | None = None,
    extra_nodes: list[JSONObject] | None = None,
    envelope: JSONObject | None = None,
) -> list[RawRecord]:
    """One raw record per record node of ``document`` (a resource or a ``@graph``).

    A document that is not a JSON object, or whose nodes carry no ``@type`` at all, still gives
    one raw record (its first node), so that the hub quarantines it with a reason instead of the
    harvest silently skipping it. Documents of other CTDL classes (organisations, assessments,
    competency frameworks, pathways: the registry lists them all) give none.
    """
    if not isinstance(document, dict):
        return [RawRecord(data={"@graph": [document]}, source_url=source_url)]
    nodes = nodes_of(document)
    records = [node for node in nodes if is_record(node)]
    support = [node for node in nodes if not is_record(node)] + (extra_nodes or [])
    if not records:
        if not nodes or any(types_of(node) for node in nodes):
            return []
        records = nodes[:1]
        support = nodes[1:] + (extra_nodes or [])
    out: list[RawRecord] = []
    for record in records:
        data: JSONObject = {"@graph": [record, *support]}
        context = document.get("@context")
        if context is not None:
            data["@context"] = context
        if envelope:
            data["envelope"] = envelope
        out.append(RawRecord(data=data, local_id=ctid_of(record), source_url=source_url))
    return out


def record_node(data: JSONObject, local_id: str | None) -> tuple[JSONObject, list[JSONObject]]:
    """(the record node, every node for resolving references) of one raw record's data."""
    nodes = nodes_of(data)
    if not nodes:
        graph = data.get("@graph")
        what = type(graph[0]).__name__ if isinstance(graph, list) and graph else "nothing"
        raise ValueError(f"expected a CTDL resource (a JSON object), got {what}")
    chosen = next((n for n in nodes if local_id and ctid_of(n) == local_id), None)
    if chosen is None:
        chosen = next((n for n in nodes if is_record(n)), nodes[0])
    return chosen, nodes


def index_nodes(nodes: list[JSONObject]) -> dict[str, JSONObject]:
    """Nodes by ``@id`` (blank ``_:`` ids included) and by lower-cased CTID."""
    index: dict[str, JSONObject] = {}
    for node in nodes:
        node_id = node.get("@id")
        if isinstance(node_id, str):
            index.setdefault(node_id, node)
        ctid = ctid_of(node)
        if ctid:
            index.setdefault(ctid.lower(), node)
    return index


def resolve(reference: JSON, index: dict[str, JSONObject]) -> JSONObject | None:
    """A reference (an ``@id`` string, a ``{"@id"}`` stub or an inline node) -> its node."""
    if isinstance(reference, dict):
        ref_id = reference.get("@id")
        if len(reference) > 1 or not isinstance(ref_id, str):
            return reference  # legacy records put the organisation inline
        reference = ref_id
    if not isinstance(reference, str):
        return None
    found = index.get(reference)
    if found is None:
        ctid = ctid_in(reference)
        found = index.get(ctid) if ctid else None
    return found
