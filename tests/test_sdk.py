"""The SDK is a façade: what connectors may import is a list that changes only on purpose."""

from __future__ import annotations

import microcred_hub.sdk as sdk

#: Adding a name is a promise to every connector package; removing one breaks them.
SDK_NAMES = [
    "EXTENSION_META",
    "JSON",
    "AssessmentType",
    "Connector",
    "ConnectorContractError",
    "ConnectorInfo",
    "ConnectorOptions",
    "ConnectorState",
    "CredentialType",
    "Document",
    "FatalFetchError",
    "FetchError",
    "FetchResponse",
    "Fetcher",
    "FieldOfStudy",
    "FrameworkTable",
    "HarvestContext",
    "Identifier",
    "InvalidRecordError",
    "JSONObject",
    "LangString",
    "Level",
    "Organisation",
    "PageGuard",
    "ParticipationForm",
    "QualityAssurance",
    "RawRecord",
    "RecordDraft",
    "RetryableFetchError",
    "Skill",
    "Stackability",
    "Status",
    "Supervision",
    "Unchanged",
    "Workload",
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
    "isat_fields",
    "follow_pages",
    "framework_level",
    "framework_names",
    "framework_table",
    "identifiers",
    "json_kind",
    "lang_strings",
    "language_code",
    "language_codes",
    "load_framework_table",
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
    "reject",
    "stated_eqf",
    "supervision",
    "text_of",
    "to_bool",
    "to_float",
    "to_int",
    "wire_json",
    "workload",
]


def test_sdk_exports_exactly_the_pinned_names() -> None:
    assert sorted(sdk.__all__) == sorted(SDK_NAMES)


def test_sdk_defines_nothing_of_its_own() -> None:
    own = [
        name
        for name in sdk.__all__
        if getattr(getattr(sdk, name), "__module__", "") == "microcred_hub.sdk"
    ]
    assert own == []


def test_every_sdk_name_resolves() -> None:
    missing = [name for name in SDK_NAMES if not hasattr(sdk, name)]
    assert missing == []
