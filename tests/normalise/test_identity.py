"""Canonical URLs, identifiers and organisation keys: one spelling per thing named."""

from __future__ import annotations

import pytest

from microcred_hub.normalise.identity import (
    canonical_ctid,
    canonical_url,
    distinctive_token,
    identifier,
    identifiers,
    organisation_key,
    organisation_tokens,
)
from microcred_hub.record import Identifier


@pytest.mark.parametrize(
    "spelling",
    [
        "https://uni.example.nl/micro/data",
        "HTTPS://Uni.Example.NL/micro/data",
        "http://uni.example.nl/micro/data",
        "https://www.uni.example.nl/micro/data/",
        "https://uni.example.nl:443/micro/data",
        "http://uni.example.nl:80/micro/data",
        "https://uni.example.nl/micro/data?utm_source=newsletter&utm_medium=mail",
        "https://uni.example.nl/micro/data?gclid=abc#apply",
        "https://uni.example.nl//micro/data",
    ],
)
def test_spellings_of_one_landing_page_share_a_canonical_url(spelling: str) -> None:
    assert canonical_url(spelling) == "https://uni.example.nl/micro/data"


def test_meaningful_query_parameters_are_kept_in_a_stable_order() -> None:
    assert canonical_url("https://x.org/c?b=2&utm_campaign=z&a=1") == "https://x.org/c?a=1&b=2"
    assert canonical_url("https://x.org/c?id=1") != canonical_url("https://x.org/c?id=2")


def test_path_case_and_other_ports_make_another_page() -> None:
    assert canonical_url("https://x.org/Course") != canonical_url("https://x.org/course")
    assert canonical_url("https://x.org:8443/c") == "https://x.org:8443/c"


@pytest.mark.parametrize("value", ["", None, "mailto:a@b.org", "ftp://x.org/a", "http://", "x"])
def test_what_is_not_a_web_page_has_no_canonical_url(value: str | None) -> None:
    assert canonical_url(value) is None


def test_ctids_legacy_and_current_and_as_resource_urls_are_one() -> None:
    current = "ce-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert canonical_ctid("urn:ctid:0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D") == current
    assert canonical_ctid(current) == current
    assert identifier("uri", f"https://credentialengineregistry.org/resources/{current}") == (
        Identifier(scheme="ctid", value=current)
    )
    assert canonical_ctid("ce-not-a-uuid") is None


@pytest.mark.parametrize(
    "local", ["urn:epass:learningAchievementSpec:1", "_:b0", "urn:uuid:1234", "  "]
)
def test_document_local_ids_are_no_identifiers(local: str) -> None:
    assert identifier("uri", local) is None


def test_identifiers_are_cleaned_deduplicated_and_keep_their_order() -> None:
    found = identifiers(
        [
            ("uri", "https://badges.example.org/bc/1"),
            ("url", "https://uni.example.nl/c?utm_source=x"),
            ("uri", "HTTPS://badges.example.org/bc/1/"),
            ("Course Code", "C012"),
            ("url", None),
        ]
    )
    assert found == (
        Identifier(scheme="uri", value="https://badges.example.org/bc/1"),
        Identifier(scheme="url", value="https://uni.example.nl/c"),
        Identifier(scheme="course code", value="C012"),
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Rijksuniversiteit Groningen", "University of Groningen"),
        ("Technische Universiteit Delft", "Delft University of Technology"),
        ("Universität Wien", "Universitaet Wien"),
        ("Hogeschool Utrecht", "Utrecht University of Applied Sciences"),
        ("The University of Auckland", "University of Auckland"),
    ],
)
def test_spellings_of_one_body_share_an_organisation_key(one: str, other: str) -> None:
    assert organisation_key(one) == organisation_key(other)


def test_a_university_and_a_university_of_applied_sciences_stay_apart() -> None:
    assert organisation_key("Hogeschool Utrecht") != organisation_key("Universiteit Utrecht")
    assert organisation_tokens("Universiteit Utrecht") == {"univ", "utrecht"}


def test_the_distinctive_word_is_a_name_not_a_kind() -> None:
    assert distinctive_token(organisation_tokens("University of Groningen")) == "groningen"
    assert distinctive_token(organisation_tokens("University")) is None
