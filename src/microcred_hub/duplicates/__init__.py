"""Cross-register duplicates: the same micro-credential listed by several registers, linked.

A view over the records, never a change to them: ``Linker`` follows the store's changes (the
runtime feeds it beside the index) and answers each record's group, ``sameAs`` links and
whether it is its group's representative. How records are compared: ``evidence``; how they
are blocked and kept up to date: ``linker``; how links become groups: ``groups``.
"""

from __future__ import annotations

from microcred_hub.duplicates.evidence import Link
from microcred_hub.duplicates.groups import Group
from microcred_hub.duplicates.linker import DEFAULT_THRESHOLD, Linker, Overrides, SameAs

__all__ = ["DEFAULT_THRESHOLD", "Group", "Link", "Linker", "Overrides", "SameAs"]
