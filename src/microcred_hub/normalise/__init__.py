"""Shared converters from what registers publish to the canonical record (spec/RECORD.md).

All functions are pure. Those that can meet a value they cannot map take ``warnings``, a list
they append a human-readable warning to (it ends up in the record's ``warnings``).
"""

from __future__ import annotations

from microcred_hub.normalise.countries import country_code
from microcred_hub.normalise.dates import parse_date, parse_datetime
from microcred_hub.normalise.documents import fetch_documents
from microcred_hub.normalise.languages import language_code, language_codes
from microcred_hub.normalise.levels import framework_level, stated_eqf
from microcred_hub.normalise.text import (
    as_list,
    clean_text,
    clean_title,
    display_title,
    lang_strings,
    match_fold,
)
from microcred_hub.normalise.values import to_bool, to_float, to_int
from microcred_hub.normalise.vocab import assessment_types, participation_forms, supervision
from microcred_hub.normalise.workload import workload

__all__ = [
    "as_list",
    "assessment_types",
    "clean_text",
    "clean_title",
    "country_code",
    "display_title",
    "fetch_documents",
    "framework_level",
    "lang_strings",
    "language_code",
    "language_codes",
    "match_fold",
    "parse_date",
    "parse_datetime",
    "participation_forms",
    "stated_eqf",
    "supervision",
    "to_bool",
    "to_float",
    "to_int",
    "workload",
]
