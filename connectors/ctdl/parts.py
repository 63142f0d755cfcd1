"""Readers for the recurring CTDL shapes: alignment objects, organisations, durations, credits."""

from __future__ import annotations

from microcred_hub.sdk import (
    JSON,
    JSONObject,
    LangString,
    Organisation,
    Skill,
    Workload,
    as_list,
    clean_text,
    country_code,
    display_title,
    lang_strings,
    workload,
)

from .graph import ctid_of, resolve

_VALUE_KEYS = ("schema:value", "qdata:value", "ceterms:value")
_UNIT_TEXT_KEYS = ("schema:unitText", "qdata:unitText", "ceterms:unitText")
_HOUR_UNITS = frozenset({"creditunit:clockhour", "hour", "hours", "clock hours", "clock hour"})


def text(value: JSON) -> str | None:
    """A language map, plain string or list of them -> its display text (English first)."""
    return display_title(lang_strings(value, title=True)) or None


def first_string(value: JSON) -> str | None:
    for item in as_list(value):
        if isinstance(item, str) and item.strip():
            return clean_text(item)
    return None


def objects(value: JSON) -> list[JSONObject]:
    return [item for item in as_list(value) if isinstance(item, dict)]


def term(alignment: JSONObject) -> str | None:
    """A CredentialAlignmentObject's term ("deliveryType:OnlineOnly"), else its name."""
    node = alignment.get("ceterms:targetNode")
    if isinstance(node, str) and node.strip():
        return node.strip()
    return text(alignment.get("ceterms:targetNodeName"))


def terms(value: JSON) -> list[str]:
    return [found for item in objects(value) if (found := term(item))]


def competencies(
    alignments: list[JSONObject], index: dict[str, JSONObject]
) -> tuple[list[Skill], list[LangString]]:
    """Alignment objects pointing at competencies -> (skills, learning-outcome texts)."""
    skills: list[Skill] = []
    outcomes: list[LangString] = []
    seen: set[tuple[str, str | None]] = set()
    for alignment in alignments:
        target = alignment.get("ceterms:targetNode")
        node = resolve(target, index) if target is not None else None
        names = lang_strings(alignment.get("ceterms:targetNodeName"), title=True)
        if not names and node is not None:
            names = lang_strings(node.get("ceasn:competencyText"), title=True)
        label = display_title(names)
        if not label:
            continue
        uri = target.strip() if isinstance(target, str) and "://" in target else None
        if (label, uri) in seen:
            continue
        seen.add((label, uri))
        framework = text(alignment.get("ceterms:frameworkName")) or first_string(
            alignment.get("ceterms:framework")
        )
        skills.append(Skill(label=label, uri=uri, framework=framework))
        described = lang_strings(alignment.get("ceterms:targetNodeDescription"))
        outcomes.extend(described or lang_strings(alignment.get("ceterms:targetNodeName")))
    return skills, outcomes


def organisation(node: JSONObject, warnings: list[str]) -> Organisation | None:
    """A CTDL organisation node -> Organisation; None (with a warning) when it has no name."""
    name = text(node.get("ceterms:name"))
    if name is None:
        warnings.append(f"organisation {node.get('@id')!r} has no ceterms:name; left out")
        return None
    node_id = node.get("@id")
    if not isinstance(node_id, str) or node_id.startswith("_:"):
        node_id = None  # a blank node id means nothing outside its own document
    country: str | None = None
    for address in objects(node.get("ceterms:address")):
        said = text(address.get("ceterms:addressCountry"))
        if said:
            country = country_code(said, warnings)
            break
    return Organisation(
        name=name,
        id=ctid_of(node) or node_id,
        url=first_string(node.get("ceterms:subjectWebpage")),
        country=country,
    )


def organisations(
    references: JSON, index: dict[str, JSONObject], role: str, warnings: list[str]
) -> list[Organisation]:
    out: list[Organisation] = []
    for reference in as_list(references):
        node = resolve(reference, index)
        if node is None:
            warnings.append(
                f"{role} {reference!r} is neither in the document nor fetched; left out"
            )
            continue
        found = organisation(node, warnings)
        if found is not None:
            out.append(found)
    return out


def _number(profile: JSONObject, keys: tuple[str, ...]) -> JSON:
    for key in keys:
        if profile.get(key) is not None:
            return profile[key]
    return None


def _duration(profiles: list[JSONObject], warnings: list[str]) -> tuple[JSON, JSON]:
    """(ISO 8601 duration, hours) from DurationProfiles; exact wins over a min/max range."""
    for profile in profiles:
        exact = profile.get("ceterms:exactDuration")
        if isinstance(exact, str) and exact.strip():
            return exact, None
    for profile in profiles:
        low, high = profile.get("ceterms:minimumDuration"), profile.get("ceterms:maximumDuration")
        if isinstance(low, str) and isinstance(high, str):
            warnings.append(f"duration range {low} to {high}: the minimum is used")
        if isinstance(low, str) or isinstance(high, str):
            return (low if isinstance(low, str) else high), None
        amount = profile.get("ceterms:timeRequired") or profile.get("ceterms:timeAmount")
        for value in objects(amount):
            unit = first_string(_number(value, _UNIT_TEXT_KEYS)) or ""
            if unit.lower() in _HOUR_UNITS:
                return None, _number(value, _VALUE_KEYS)
            warnings.append(f"time amount in unit {unit!r} is not hours; not read as workload")
    return None, None


def _credit(profiles: list[JSONObject]) -> tuple[JSON, str | None]:
    """(value, unit as published) of the first credit value profile that has a value."""
    for profile in profiles:
        value = _number(profile, _VALUE_KEYS)
        if value is None:
            continue
        unit = next(iter(terms(profile.get("ceterms:creditUnitType"))), None)
        return value, unit or first_string(_number(profile, _UNIT_TEXT_KEYS))
    return None, None


def read_workload(node: JSONObject, warnings: list[str]) -> Workload | None:
    """Hours from ``estimatedDuration``; credits from ``creditValue`` (US units not converted)."""
    duration, hours = _duration(objects(node.get("ceterms:estimatedDuration")), warnings)
    credits, unit = _credit(objects(node.get("ceterms:creditValue")))
    unit_key = (unit or "").lower()
    ects = hours_credit = None
    if credits is not None and "ects" in unit_key:
        ects, credits = credits, None
    elif credits is not None and unit_key in _HOUR_UNITS and hours is None:
        hours_credit, credits = credits, None
    try:
        found = workload(
            warnings,
            ects=ects,
            hours=hours if hours is not None else hours_credit,
            duration=duration,
            credits=credits,
            credits_unit=unit,
            ects_unit=unit or "ECTS",
            hours_unit=unit if hours_credit is not None and unit else "hours",
        )
    except ValueError as exc:
        warnings.append(f"workload not read: {exc}")
        return None
    if credits is not None and found is not None and found.original_unit != unit:
        if found.hours is None and found.ects is None:
            return found  # workload() has already said the credits were not converted
        # The duration is the original: still say what the credits were.
        warnings.append(f'credit value {credits} "{unit}" has no conversion; not used')
    return found
