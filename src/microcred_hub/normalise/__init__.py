"""Shared converters from what registers publish to the canonical record (spec/RECORD.md).

All functions are pure. Those that can meet a value they cannot map take ``warnings``, a list
they append a human-readable warning to (it ends up in the record's ``warnings``).
"""

from __future__ import annotations

from microcred_hub.normalise.concurrency import bounded
from microcred_hub.normalise.countries import country_code
from microcred_hub.normalise.dates import parse_date, parse_datetime
from microcred_hub.normalise.documents import fetch_documents
from microcred_hub.normalise.fields import date_or_none, datetime_or_none, flag, text_of
from microcred_hub.normalise.identity import canonical_url, identifiers
from microcred_hub.normalise.languages import language_code, language_codes
from microcred_hub.normalise.levels import (
    FrameworkTable,
    framework_level,
    framework_names,
    framework_table,
    load_framework_table,
    stated_eqf,
)
from microcred_hub.normalise.openbadges import (
    EXTENSION_META,
    isat_fields,
    ob2_extension,
    ob2_extension_value,
)
from microcred_hub.normalise.paging import (
    PageGuard,
    follow_pages,
    next_anywhere,
    next_in_body,
    next_link,
    numbered_pages,
    offset_query,
    page_query,
)
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
    "EXTENSION_META",
    "FrameworkTable",
    "PageGuard",
    "as_list",
    "assessment_types",
    "bounded",
    "canonical_url",
    "clean_text",
    "clean_title",
    "country_code",
    "date_or_none",
    "datetime_or_none",
    "display_title",
    "fetch_documents",
    "flag",
    "follow_pages",
    "framework_level",
    "framework_names",
    "framework_table",
    "identifiers",
    "isat_fields",
    "lang_strings",
    "language_code",
    "language_codes",
    "load_framework_table",
    "match_fold",
    "next_anywhere",
    "next_in_body",
    "next_link",
    "numbered_pages",
    "ob2_extension",
    "ob2_extension_value",
    "offset_query",
    "page_query",
    "parse_date",
    "parse_datetime",
    "participation_forms",
    "stated_eqf",
    "supervision",
    "text_of",
    "to_bool",
    "to_float",
    "to_int",
    "workload",
]
