"""Finding the BadgeClass / Achievement inside an Open Badges document.

A document is an Open Badges 2 BadgeClass, an Open Badges 3 Achievement, an OB3
OpenBadgeCredential / AchievementCredential (whose ``credentialSubject.achievement`` is the
record) or an OB2 Assertion with its BadgeClass embedded. The record is always the
BadgeClass / Achievement; the document around it (the envelope) only lends its issuer.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from microcred_hub.sdk import JSON, JSONObject, as_list


class Located(msgspec.Struct, frozen=True, kw_only=True):
    """The record node of a document, its Open Badges version and the document around it."""

    node: JSONObject
    version: Literal[2, 3]
    envelope: JSONObject | None = None


def type_names(node: JSONObject) -> set[str]:
    """``type`` / ``@type`` values by last segment ("…openbadges#BadgeClass" -> "BadgeClass")."""
    names: set[str] = set()
    for key in ("type", "@type"):
        for item in as_list(node.get(key)):
            if isinstance(item, str) and item.strip():
                names.add(item.strip().rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    return names


def _context_version(doc: JSONObject) -> Literal[2, 3] | None:
    contexts = [c for c in as_list(doc.get("@context")) if isinstance(c, str)]
    if any("/ob/v3p0" in c for c in contexts):
        return 3
    if any("openbadges/v2" in c or "/ob/v2p0" in c for c in contexts):
        return 2
    return None


def _subject_achievement(doc: JSONObject) -> JSONObject | None:
    for subject in as_list(doc.get("credentialSubject")):
        if isinstance(subject, dict):
            achievement = subject.get("achievement")
            if isinstance(achievement, dict):
                return achievement
    return None


def locate(doc: JSONObject) -> Located | str:
    """The record node, or the reason there is none (a sentence for the quarantine report)."""
    achievement = _subject_achievement(doc)
    if achievement is not None:
        return Located(node=achievement, version=3, envelope=doc)
    names = type_names(doc)
    badge = doc.get("badge")
    if "Assertion" in names and isinstance(badge, dict):
        return Located(node=badge, version=2, envelope=doc)
    if "Achievement" in names:  # also the edubadges proposal typed Achievement + BadgeClass
        return Located(node=doc, version=3)
    if "BadgeClass" in names:
        return Located(node=doc, version=2)
    if not names and (version := _context_version(doc)) is not None:
        return Located(node=doc, version=version)
    shown = ", ".join(sorted(names)) or "no type"
    return (
        f"document is not an Open Badges BadgeClass, Achievement or credential ({shown}); "
        "list only badge class / achievement documents in this source"
    )


def local_id(data: JSONObject) -> str | None:
    """The record's own ``id`` (a URI), when the document has a record with one."""
    found = locate(data)
    if isinstance(found, str):
        return None
    value: JSON = found.node.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else None
