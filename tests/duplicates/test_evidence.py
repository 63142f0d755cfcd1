"""Each piece of evidence on its own: titles, awarding bodies, workload, level, country, ids."""

from __future__ import annotations

from typing import Any

from microcred_hub.duplicates.evidence import (
    bodies_score,
    compare,
    conflict,
    title_score,
)
from microcred_hub.duplicates.features import Features, features, title_parts
from microcred_hub.normalise.identity import identifiers
from microcred_hub.record import LangString, Level, Organisation, Workload
from tests.factories import make_record

THRESHOLD = 0.9


def listing(
    local_id: str,
    title: str,
    *,
    source: str,
    body: str = "University of Groningen",
    country: str = "NL",
    lang: str = "en",
    **fields: Any,
) -> Features:
    fields.setdefault("awarding_bodies", (Organisation(name=body, country=country),))
    fields.setdefault("issuer_country", (country,))
    fields.setdefault("url", None)
    return features(make_record(local_id, title, source=source, lang=lang, **fields))


def test_title_words_ignore_case_punctuation_order_and_type_words() -> None:
    a = title_parts("Micro-credential: Data Analysis for Managers", "en")
    b = title_parts("managers, data analysis (for)", "en")
    assert a == b
    assert "micro" not in a[0] and "credential" not in a[0]


def test_stage_markers_are_kept_apart_from_the_words() -> None:
    one, two = title_parts("Data Analysis I", "en"), title_parts("Data Analysis II", "en")
    assert one[0] == two[0]
    assert (one[1], two[1]) == ({"1"}, {"2"})
    assert title_parts("Data Analysis 2", "en")[1] == {"2"}
    assert title_parts("Data Analysis 2025", "en")[1] == frozenset()  # a year is no stage
    assert title_parts("Introduction to Data Analysis", "en")[1] == {"intro"}
    assert title_parts("Inleiding data-analyse", "nl")[1] == {"intro"}


def test_titles_compare_in_any_language_the_records_share() -> None:
    elm = listing(
        "1",
        "Data Analysis",
        source="elm",
        titles=(
            LangString(value="Data Analysis", lang="en"),
            LangString(value="Data-analyse", lang="nl"),
        ),
    )
    edubadges = listing("2", "Data-analyse", source="edubadges", lang="nl")
    assert title_score(elm, edubadges) == (1.0, False)


def test_sequels_of_one_title_conflict() -> None:
    one = listing("1", "Data Analysis I", source="elm")
    two = listing("2", "Data Analysis II", source="edubadges")
    assert title_score(one, two) == (1.0, True)
    assert compare(one, two, THRESHOLD) is None
    assert conflict(one, two)


def test_spellings_and_aliases_of_one_body_are_the_same_body() -> None:
    official = listing("1", "Data", source="elm", body="Rijksuniversiteit Groningen")
    for other in ("University of Groningen", "RUG", "University  of groningen"):
        assert bodies_score(official, listing("2", "Data", source="x", body=other)) == 1.0


def test_a_name_written_as_an_acronym_matches_the_names_initials() -> None:
    full = listing("1", "Data", source="elm", body="Technische Universiteit Eindhoven")
    assert bodies_score(full, listing("2", "Data", source="x", body="TUE")) == 1.0
    assert bodies_score(full, listing("3", "Data", source="x", body="TUD")) == 0.0


def test_an_organisation_id_names_the_body_whatever_its_spelling() -> None:
    org = "https://orgs.example.nl/rug"
    a = listing("1", "Data", source="elm", awarding_bodies=(Organisation(name="RUG", id=org),))
    b = listing(
        "2", "Data", source="x", awarding_bodies=(Organisation(name="Groningen Uni", id=org),)
    )
    assert bodies_score(a, b) == 1.0


def test_different_kinds_of_institution_in_one_city_are_different_bodies() -> None:
    a = listing("1", "Data", source="elm", body="Hogeschool Utrecht")
    b = listing("2", "Data", source="x", body="Universiteit Utrecht")
    assert bodies_score(a, b) == 0.0
    assert compare(a, b, THRESHOLD) is None


def test_the_same_title_from_bodies_in_different_countries_never_links() -> None:
    nl = listing("1", "Business Analytics", source="elm", body="Business School", country="NL")
    ie = listing("2", "Business Analytics", source="x", body="Business School", country="IE")
    assert compare(nl, ie, THRESHOLD) is None
    assert conflict(nl, ie)


def test_workload_compares_after_conversion_ects_against_hours() -> None:
    ects = listing("1", "Data Analysis", source="elm", workload=Workload(ects=5.0))
    hours = listing("2", "Data Analysis", source="ctdl", workload=Workload(hours=140.0))
    link = compare(ects, hours, THRESHOLD)
    assert link is not None and "workload" in link.evidence
    double = listing("3", "Data Analysis", source="ctdl", workload=Workload(hours=280.0))
    assert compare(ects, double, THRESHOLD) is None
    assert conflict(ects, double)


def test_level_four_and_five_versions_do_not_link() -> None:
    four = listing("1", "Cyber Security", source="elm", level=Level(eqf=4))
    five = listing("2", "Cyber Security", source="x", level=Level(eqf=5))
    assert compare(four, five, THRESHOLD) is None
    same = listing("3", "Cyber Security", source="x", level=Level(eqf=4))
    link = compare(four, same, THRESHOLD)
    assert link is not None and "level" in link.evidence


def test_national_levels_compare_within_one_framework() -> None:
    a = listing("1", "Te reo", source="nzqa", level=Level(framework="NZQCF", framework_level="8"))
    b = listing("2", "Te reo", source="x", level=Level(framework="NZQCF", framework_level="7"))
    assert compare(a, b, THRESHOLD) is None


def test_a_title_alone_without_the_awarding_body_is_no_evidence() -> None:
    a = listing("1", "Data Analysis", source="elm", body="University of Groningen")
    b = listing("2", "Data Analysis", source="x", body="Maastricht University")
    assert compare(a, b, THRESHOLD) is None


def test_confidence_grows_with_evidence_and_names_it() -> None:
    base = listing("1", "Data Analysis", source="elm")
    bare = compare(base, listing("2", "data analysis", source="x"), THRESHOLD)
    assert bare is not None and bare.evidence == ("awardingBody", "title", "country")
    rich = compare(
        listing(
            "3", "Data Analysis", source="elm", workload=Workload(ects=5.0), level=Level(eqf=6)
        ),
        listing("4", "Data Analysis", source="x", workload=Workload(ects=5.0), level=Level(eqf=6)),
        THRESHOLD,
    )
    assert rich is not None and rich.confidence > bare.confidence


def test_a_shared_identifier_or_landing_page_decides_alone() -> None:
    badge = "https://api.edubadges.nl/public/badges/abc"
    a = listing("1", "Data", source="elm", identifiers=identifiers([("uri", badge)]))
    b = listing(
        "2",
        "Something else",
        source="edubadges",
        body="Other",
        identifiers=identifiers([("uri", badge)]),
    )
    link = compare(a, b, THRESHOLD)
    assert link is not None and (link.confidence, link.evidence) == (1.0, ("identifier",))
    page = "https://rug.nl/micro/data/?utm_source=europass"
    c = listing("3", "Data", source="elm", identifiers=identifiers([("url", page)]))
    d = listing(
        "4", "Other", source="x", identifiers=identifiers([("url", "http://www.rug.nl/micro/data")])
    )
    link = compare(c, d, THRESHOLD)
    assert link is not None and link.evidence == ("url",)


def test_a_registers_own_numbering_identifies_only_with_the_same_body() -> None:
    code = identifiers([("Course code", "C012")])
    a = listing("1", "Data", source="elm", identifiers=code)
    same_body = listing("2", "Other title", source="x", identifiers=code)
    other_body = listing("3", "Data", source="x", body="Maastricht University", identifiers=code)
    link = compare(a, same_body, THRESHOLD)
    assert link is not None and link.evidence == ("identifier",)
    assert compare(a, other_body, THRESHOLD) is None
