"""The SDK is a façade: what connectors may import is a list that changes only on purpose."""

from __future__ import annotations

import microcred_hub.sdk as sdk

#: Adding a name is a promise to every connector package; removing one breaks them.
SDK_NAMES = [
    "JSON",
    "AssessmentType",
    "Connector",
    "ConnectorContractError",
    "ConnectorInfo",
    "ConnectorOptions",
    "CredentialType",
    "Document",
    "FatalFetchError",
    "FetchError",
    "FetchResponse",
    "Fetcher",
    "FieldOfStudy",
    "HarvestContext",
    "InvalidRecordError",
    "JSONObject",
    "LangString",
    "Level",
    "Organisation",
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
    "clean_text",
    "clean_title",
    "country_code",
    "display_title",
    "fetch_documents",
    "framework_level",
    "lang_strings",
    "language_code",
    "language_codes",
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
