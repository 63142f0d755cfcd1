"""The in-memory index: filters, sorting, paging, search, facets, providers, updates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from microcred_hub.index import Index, QueryError, RecordFilter, SortField
from microcred_hub.record import (
    AssessmentType,
    CredentialType,
    LangString,
    Level,
    Organisation,
    ParticipationForm,
    Skill,
    Status,
    Workload,
)
from tests.factories import make_record, sample_records


def ids(index: Index, flt: RecordFilter | None = None, **kwargs: object) -> list[str]:
    page = index.search(flt, first=100, **kwargs)
    return [r.id for r in page.records]


def matching(index: Index, **filter_fields: object) -> set[str]:
    return set(ids(index, RecordFilter(**filter_fields)))


@pytest.fixture
def index() -> Index:
    return Index(sample_records())


# -- filters ---------------------------------------------------------------------------------


def test_source_filter_is_or_within_the_field(index: Index) -> None:
    assert matching(index, source=("elm", "ctdl")) == {"elm:elm-1", "ctdl:ce-42"}


def test_filters_are_and_across_fields(index: Index) -> None:
    assert matching(index, source=("edubadges",), credential_type=(CredentialType.BADGE,)) == {
        "edubadges:xyz"
    }


def test_issuer_country_ignores_case(index: Index) -> None:
    assert matching(index, issuer_country=("nl",)) == {"edubadges:abc123", "edubadges:xyz"}


def test_language_ignores_case(index: Index) -> None:
    assert matching(index, language=("GA",)) == {"elm:elm-1"}


def test_eqf_level_list_and_range(index: Index) -> None:
    assert matching(index, eqf_level=(4, 5)) == {"nzqa:MC4217", "edubadges:xyz"}
    assert matching(index, eqf_level_min=5) == {"edubadges:xyz", "edubadges:abc123", "elm:elm-1"}
    assert matching(index, eqf_level_min=5, eqf_level_max=5) == {"edubadges:xyz"}


def test_ranges_are_inclusive_and_exclude_records_without_the_value(index: Index) -> None:
    assert matching(index, ects_min=3.0, ects_max=7.5) == {
        "edubadges:abc123",
        "nzqa:MC5001",
        "nzqa:MC4217",
    }
    # ctdl:ce-42 has hours but no ECTS: excluded as soon as an ECTS bound is set.
    assert "ctdl:ce-42" not in matching(index, ects_max=100)
    assert matching(index, hours_min=40, hours_max=40) == {"ctdl:ce-42"}
    assert matching(index, hours_max=30) == {"edubadges:xyz"}


def test_minimum_above_maximum_is_a_user_error(index: Index) -> None:
    with pytest.raises(QueryError, match="minimum"):
        index.search(RecordFilter(ects_min=5, ects_max=1))


def test_updated_since_is_inclusive(index: Index) -> None:
    since = datetime(2024, 11, 2, tzinfo=UTC)
    assert matching(index, updated_since=since) == {"nzqa:MC4217", "nzqa:MC5001"}


def test_enum_list_filters(index: Index) -> None:
    assert matching(index, participation_form=(ParticipationForm.ONSITE,)) == {"nzqa:MC5001"}
    assert matching(index, assessment_type=(AssessmentType.TESTING,)) == {
        "nzqa:MC5001",
        "edubadges:abc123",
    }
    assert matching(index, status=(Status.WITHDRAWN, Status.EXPIRED)) == {
        "edubadges:xyz",
        "elm:elm-1",
    }


def test_withdrawn_and_expired_records_are_included_without_a_status_filter(
    index: Index,
) -> None:
    assert {"edubadges:xyz", "elm:elm-1"} <= set(ids(index))


def test_stackable_maps_to_stackability(index: Index) -> None:
    assert matching(index, stackable=True) == {"nzqa:MC5001", "edubadges:abc123"}
    assert matching(index, stackable=False) == {"nzqa:MC4217"}


def test_framework_listed(index: Index) -> None:
    assert matching(index, framework_listed=True) == {"nzqa:MC4217", "nzqa:MC5001"}
    assert matching(index, framework_listed=False) == {"edubadges:abc123"}


def test_skill_matches_label_without_accents_or_the_uri(index: Index) -> None:
    assert matching(index, skill=("maori LANGUAGE",)) == {"nzqa:MC4217"}
    assert matching(index, skill=("http://data.europa.eu/esco/skill/mi",)) == {"nzqa:MC4217"}


def test_awarding_body_matches_folded_name(index: Index) -> None:
    assert matching(index, awarding_body=("te pukenga",)) == {"nzqa:MC4217"}
    assert matching(index, awarding_body=("UNIVERSITEIT UTRECHT",)) == {
        "edubadges:abc123",
        "edubadges:xyz",
    }


def test_empty_list_does_not_constrain(index: Index) -> None:
    assert len(matching(index, source=())) == len(index)


# -- sorting ---------------------------------------------------------------------------------


def test_default_sort_is_title_without_search(index: Index) -> None:
    titles = [r.title for r in index.search(first=100).records]
    assert titles == sorted(titles, key=str.lower)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            SortField.ECTS,
            ["edubadges:xyz", "edubadges:abc123", "nzqa:MC5001", "nzqa:MC4217", "elm:elm-1"],
        ),
        (
            SortField.ECTS_DESC,
            ["elm:elm-1", "nzqa:MC4217", "nzqa:MC5001", "edubadges:abc123", "edubadges:xyz"],
        ),
        (SortField.EQF, ["nzqa:MC4217", "edubadges:xyz", "edubadges:abc123", "elm:elm-1"]),
        (SortField.EQF_DESC, ["edubadges:abc123", "elm:elm-1", "edubadges:xyz", "nzqa:MC4217"]),
        (
            SortField.UPDATED,
            ["elm:elm-1", "edubadges:abc123", "nzqa:MC4217", "nzqa:MC5001"],
        ),
        (
            SortField.UPDATED_DESC,
            ["nzqa:MC5001", "nzqa:MC4217", "edubadges:abc123", "elm:elm-1"],
        ),
    ],
)
def test_sort_puts_nulls_last_in_both_directions(
    index: Index, sort: SortField, expected: list[str]
) -> None:
    order = ids(index, sort=[sort])
    assert order[: len(expected)] == expected
    assert len(order) == len(index)


def test_hours_sort_both_ways(index: Index) -> None:
    hours = [r.workload.hours for r in index.search(sort=[SortField.HOURS]).records]
    assert hours == sorted(hours)
    hours_desc = [r.workload.hours for r in index.search(sort=[SortField.HOURS_DESC]).records]
    assert hours_desc == sorted(hours_desc, reverse=True)


def test_title_desc_reverses_title(index: Index) -> None:
    assert ids(index, sort=[SortField.TITLE_DESC]) == list(reversed(ids(index)))


def test_ties_break_by_id_and_second_key_applies() -> None:
    records = [
        make_record("b", "Same", level=Level(eqf=5)),
        make_record("a", "Same", level=Level(eqf=5)),
        make_record("c", "Other", level=Level(eqf=5)),
    ]
    index = Index(records)
    assert ids(index, sort=[SortField.EQF]) == ["nzqa:a", "nzqa:b", "nzqa:c"]
    assert ids(index, sort=[SortField.EQF, SortField.TITLE]) == ["nzqa:c", "nzqa:a", "nzqa:b"]


# -- paging ----------------------------------------------------------------------------------


def catalogue(n: int = 57) -> Index:
    """Many records with repeated values and nulls, so ties and nulls cross page borders."""
    records = []
    for i in range(n):
        records.append(
            make_record(
                f"R{i:03d}",
                f"Course {i % 7}",
                workload=Workload(ects=float(i % 5)) if i % 4 else None,
                level=Level(eqf=i % 8 + 1) if i % 3 else None,
                updated_at=datetime(2024, 1, 1 + i % 28, tzinfo=UTC) if i % 6 else None,
                description=(LangString(value="data " * (i % 3 + 1), lang="en"),),
                issuer_country=("NZ",) if i % 2 else ("NL",),
            )
        )
    return Index(records)


def all_pages(index: Index, size: int, **kwargs: object) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = index.search(first=size, after=after, **kwargs)
        seen.extend(r.id for r in page.records)
        assert page.end_cursor == (page.cursors[-1] if page.cursors else None)
        if not page.has_next:
            return seen
        after = page.end_cursor


@pytest.mark.parametrize("sort", [[f] for f in SortField] + [[SortField.EQF, SortField.ECTS_DESC]])
@pytest.mark.parametrize("flt", [None, RecordFilter(issuer_country=("NZ",))])
def test_paging_has_no_duplicates_and_no_gaps(
    sort: list[SortField], flt: RecordFilter | None
) -> None:
    index = catalogue()
    text = "data" if SortField.RELEVANCE in sort else None
    everything = ids(index, flt, sort=sort, text=text)
    assert all_pages(index, 4, filter=flt, sort=sort, text=text) == everything
    assert index.search(flt, text, sort, first=4).total == len(everything)


def test_sparse_match_pages_in_global_order() -> None:
    index = catalogue(200)
    flt = RecordFilter(eqf_level=(3,))
    everything = ids(index, flt, sort=[SortField.UPDATED_DESC])
    assert all_pages(index, 3, filter=flt, sort=[SortField.UPDATED_DESC]) == everything


def test_cursor_resumes_after_its_record_is_deleted() -> None:
    index = catalogue(20)
    page = index.search(first=5, sort=[SortField.ECTS])
    index.update((), [page.records[-1].id])
    rest = index.search(first=100, sort=[SortField.ECTS], after=page.end_cursor)
    full = ids(index, sort=[SortField.ECTS])
    assert [r.id for r in rest.records] == full[4:]


def test_first_zero_gives_only_the_count(index: Index) -> None:
    page = index.search(first=0)
    assert page.records == []
    assert page.total == len(index)
    assert page.has_next


def test_malformed_cursor_is_a_user_error(index: Index) -> None:
    with pytest.raises(QueryError, match="malformed cursor"):
        index.search(after="not a cursor!")
    with pytest.raises(QueryError, match="malformed cursor"):
        index.search(after="WyJtOlRJVExFIiwgNF0")  # valid base64, wrong shape


def test_cursor_of_another_sort_is_refused(index: Index) -> None:
    cursor = index.search(first=1, sort=[SortField.ECTS]).end_cursor
    with pytest.raises(QueryError, match="another sort"):
        index.search(after=cursor, sort=[SortField.TITLE])


# -- search ----------------------------------------------------------------------------------


def test_search_ignores_case_and_accents(index: Index) -> None:
    assert ids(index, text="maori") == ["nzqa:MC4217"]
    assert ids(index, text="MĀORI") == ["nzqa:MC4217"]


def test_search_stems_english_and_dutch(index: Index) -> None:
    assert ids(index, text="runs") == ["nzqa:MC5001"]  # "Running a small business"
    assert ids(index, text="bedrijfsmodel") == ["edubadges:abc123"]  # "bedrijfsmodellen"


def test_search_matches_exact_words_too(index: Index) -> None:
    assert ids(index, text="running") == ["nzqa:MC5001"]


def test_search_finds_any_language_title(index: Index) -> None:
    assert ids(index, text="sustainable") == ["edubadges:abc123"]
    assert ids(index, text="muinteoiri") == ["elm:elm-1"]


def test_search_requires_every_word(index: Index) -> None:
    assert ids(index, text="digital teachers") == ["elm:elm-1"]
    assert ids(index, text="digital business") == []


def test_search_reaches_outcomes_and_descriptions(index: Index) -> None:
    assert ids(index, text="karakia") == ["nzqa:MC4217"]
    assert ids(index, text="classrooms") == ["elm:elm-1"]


def test_relevance_ranks_title_matches_first() -> None:
    index = Index(
        [
            make_record("body", "Workplace safety", description=(LangString(value="Python"),)),
            make_record("title", "Python programming"),
            make_record("none", "Gardening"),
        ]
    )
    page = index.search(text="python")
    assert [r.id for r in page.records] == ["nzqa:title", "nzqa:body"]
    assert page.total == 2


def test_explicit_sort_overrides_relevance(index: Index) -> None:
    page = index.search(text="data", sort=[SortField.TITLE])
    assert [r.id for r in page.records] == ["edubadges:xyz"]


def test_blank_search_matches_everything(index: Index) -> None:
    assert index.search(text="  ").total == len(index)


# -- facets ----------------------------------------------------------------------------------


def test_facets_count_the_matching_set_desc_then_value(index: Index) -> None:
    facets = index.facets()
    assert facets["issuerCountry"] == [("NL", 2), ("NZ", 2), ("IE", 1), ("US", 1)]
    assert facets["eqfLevel"] == [("6", 2), ("4", 1), ("5", 1)]
    assert facets["credentialType"][0] == ("MICRO_CREDENTIAL", 4)
    filtered = index.facets(RecordFilter(source=("edubadges",)))
    assert filtered["source"] == [("edubadges", 2)]
    assert filtered["language"] == [("nl", 2)]
    assert index.facets(text="maori")["participationForm"] == [("ONLINE", 1)]


# -- providers -------------------------------------------------------------------------------


def test_providers_aggregate_spellings_and_count_records(index: Index) -> None:
    page = index.providers()
    first = page.providers[0]
    assert (first.name, first.country, first.microcredential_count, first.sources) == (
        "Universiteit Utrecht",
        "NL",
        2,
        ["edubadges"],
    )
    assert page.total == 5


def test_providers_search_and_country(index: Index) -> None:
    assert [p.name for p in index.providers(text="auck").providers] == ["University of Auckland"]
    assert [p.name for p in index.providers(text="pukenga").providers] == ["Te Pūkenga"]
    assert [p.name for p in index.providers(issuer_country=["ie"]).providers] == [
        "Dublin City University"
    ]


def test_providers_page_without_duplicates(index: Index) -> None:
    names, after = [], None
    while True:
        page = index.providers(first=2, after=after)
        names += [p.name for p in page.providers]
        if not page.has_next:
            break
        after = page.end_cursor
    assert names == [p.name for p in index.providers(first=100).providers]


def test_same_provider_name_in_two_countries_is_two_providers() -> None:
    index = Index(
        [
            make_record("a", awarding_bodies=(Organisation(name="Open University", country="GB"),)),
            make_record("b", awarding_bodies=(Organisation(name="Open University", country="NL"),)),
        ]
    )
    assert sorted(p.country or "" for p in index.providers().providers) == ["GB", "NL"]


# -- updates ---------------------------------------------------------------------------------


def test_apply_updates_every_structure_and_bumps_the_version(index: Index) -> None:
    version = index.version
    changed = make_record(
        "MC4217",
        "Advanced statistics",
        issuer_country=("AU",),
        skills=(Skill(label="Statistics"),),
    )
    index.update([changed], ["ctdl:ce-42"])
    assert index.version == version + 1
    assert index.get("ctdl:ce-42") is None
    assert ids(index, text="maori") == []
    assert ids(index, text="statistics") == ["nzqa:MC4217"]
    assert matching(index, issuer_country=("NZ",)) == {"nzqa:MC5001"}
    assert matching(index, skill=("statistics",)) == {"nzqa:MC4217"}
    assert len(index) == 5


def test_unchanged_upsert_keeps_the_version(index: Index) -> None:
    version = index.version
    index.update(sample_records()[:2], ["unknown:id"])
    assert index.version == version


def test_replace_all_starts_over(index: Index) -> None:
    version = index.version
    index.replace_all([make_record("new")])
    assert [r.id for r in index.records()] == ["nzqa:new"]
    assert index.version == version + 1
    assert index.facets()["source"] == [("nzqa", 1)]


def test_replace_source_drops_what_the_source_no_longer_has(index: Index) -> None:
    index.replace_source("edubadges", [make_record("abc123", "Renamed", source="edubadges")])
    assert matching(index, source=("edubadges",)) == {"edubadges:abc123"}
    assert index.get("edubadges:abc123").title == "Renamed"
    assert len(index) == 5
