"""Groups over changing records: transitivity, the source rule, representatives, stability."""

from __future__ import annotations

from typing import Any

import msgspec

from microcred_hub.duplicates import Linker, Overrides
from microcred_hub.normalise.identity import identifiers
from microcred_hub.record import Level, Microcredential, Organisation, Workload
from tests.factories import make_record


def rec(
    source: str, local_id: str, title: str = "Data Analysis", *, body: str = "RUG", **fields: Any
) -> Microcredential:
    fields.setdefault("awarding_bodies", (Organisation(name=body, country="NL"),))
    fields.setdefault("issuer_country", ("NL",))
    fields.setdefault("url", None)
    return make_record(local_id, title, source=source, **fields)


def test_listings_of_one_offer_in_three_registers_form_one_group() -> None:
    records = [
        rec("edubadges", "b1", body="Rijksuniversiteit Groningen"),
        rec("elm", "e1", "Data analysis", body="University of Groningen"),
        rec("openbadges", "o1", "DATA ANALYSIS", body="RUG"),
        rec("elm", "e2", "Robotics", body="University of Groningen"),
    ]
    linker = Linker()
    linker.replace_all(records)
    group = linker.group("elm:e1")
    assert group is not None
    assert group.members == ("edubadges:b1", "elm:e1", "openbadges:o1")
    assert group.id == "edubadges:b1"
    assert linker.group("elm:e2") is None and linker.group_id("elm:e2") == "elm:e2"
    same = linker.same_as("elm:e1")
    assert [s.id for s in same] == ["edubadges:b1", "openbadges:o1"]
    assert all(0 < s.confidence <= 1 and "title" in s.evidence for s in same)


def test_two_listings_in_one_register_stay_apart_even_through_a_third() -> None:
    records = [
        rec("elm", "e1", workload=Workload(ects=5.0)),
        rec("elm", "e2"),  # a deliberate second listing in the same register
        rec("edubadges", "b1", workload=Workload(ects=5.0)),
    ]
    linker = Linker()
    linker.replace_all(records)
    group = linker.group("edubadges:b1")
    assert group is not None and group.members == ("edubadges:b1", "elm:e1")
    assert linker.group("elm:e2") is None


def test_a_record_equally_like_two_listings_of_one_register_links_neither() -> None:
    linker = Linker()
    linker.replace_all([rec("elm", "e1"), rec("elm", "e2"), rec("edubadges", "b1")])
    assert linker.group("edubadges:b1") is None


def test_two_listings_in_one_register_sharing_an_identifier_are_one() -> None:
    same = identifiers([("uri", "https://europass.example/spec/42")])
    linker = Linker()
    linker.replace_all(
        [rec("elm", "e1", identifiers=same), rec("elm", "e2", "Other", identifiers=same)]
    )
    group = linker.group("elm:e1")
    assert group is not None and group.members == ("elm:e1", "elm:e2")
    assert linker.same_as("elm:e1")[0].evidence == ("identifier",)


def test_a_shared_landing_page_within_one_register_links_nothing() -> None:
    page = identifiers([("url", "https://uni.example/micro")])
    linker = Linker()
    linker.replace_all(
        [rec("elm", "e1", identifiers=page), rec("elm", "e2", "Robotics", identifiers=page)]
    )
    assert linker.group("elm:e1") is None


def test_an_overview_page_many_listings_of_a_register_share_is_no_identifier() -> None:
    page = identifiers([("url", "https://uni.example/catalogue")])
    linker = Linker()
    linker.replace_all(
        [
            rec("elm", "e1", "Robotics", identifiers=page),
            rec("elm", "e2", "Law", identifiers=page),
            rec("ctdl", "c1", "Cooking", body="Other", identifiers=page),
        ]
    )
    assert linker.group("ctdl:c1") is None


def test_a_sparse_record_cannot_join_two_that_contradict_each_other() -> None:
    linker = Linker()
    linker.replace_all(
        [
            rec("elm", "e1", workload=Workload(ects=5.0)),
            rec("ctdl", "c1", workload=Workload(hours=280.0)),  # 10 ECTS: another offer
            rec("openbadges", "o1"),  # no workload: matches either
        ]
    )
    group = linker.group("elm:e1")
    assert group is None or "ctdl:c1" not in group.members


def test_a_sparse_record_equally_like_two_listings_of_one_register_links_neither() -> None:
    linker = Linker()
    linker.replace_all(
        [
            rec("ctdl", "four", level=Level(eqf=4), workload=Workload(hours=140.0)),
            rec("ctdl", "five", level=Level(eqf=5), workload=Workload(hours=280.0)),
            rec("openbadges", "o1"),
        ]
    )
    assert linker.group("openbadges:o1") is None


def test_the_representative_is_the_most_complete_then_the_smallest_id() -> None:
    rich = rec("elm", "z9", workload=Workload(ects=5.0), level=Level(eqf=6))
    poor = rec("edubadges", "a1")
    linker = Linker()
    linker.replace_all([poor, rich])
    assert rich.completeness.score > poor.completeness.score
    assert linker.group("elm:z9").representative == "elm:z9"  # type: ignore[union-attr]
    assert not linker.is_representative("edubadges:a1")
    assert list(linker.hidden()) == ["edubadges:a1"]
    tie = rec("ctdl", "m5")
    linker.replace_all([tie, poor])
    assert tie.completeness.score == poor.completeness.score
    assert linker.group("ctdl:m5").representative == "ctdl:m5"  # type: ignore[union-attr]


def test_group_ids_stay_when_an_unrelated_record_changes_or_goes() -> None:
    records = [
        rec("elm", "e1"),
        rec("edubadges", "b1"),
        rec("elm", "e2", "Robotics"),
        rec("edubadges", "b2", "Robotics"),
        rec("elm", "e3", "Law"),
    ]
    linker = Linker()
    linker.replace_all(records)
    before = {r.id: linker.group_id(r.id) for r in records}
    changed = linker.apply(
        [msgspec.structs.replace(records[2], title="Robotics II", titles=())], ["elm:e3"]
    )
    assert "elm:e1" not in changed and "edubadges:b1" not in changed
    assert linker.group_id("elm:e1") == before["elm:e1"] == "edubadges:b1"
    assert linker.group("elm:e2") is None  # its own group dissolved: it changed
    assert changed == {"elm:e2", "edubadges:b2", "elm:e3"}


def test_a_changed_record_is_compared_only_within_its_blocks() -> None:
    linker = Linker()
    linker.replace_all(
        [rec("elm", f"e{i}", f"Topic {i} studies", body=f"Body{i}") for i in range(200)]
    )
    compared: list[tuple[str, str]] = []
    original = linker._compare

    def counting(a: Any, b: Any) -> Any:
        compared.append((a.id, b.id))
        return original(a, b)

    linker._compare = counting  # type: ignore[method-assign]
    linker.apply([rec("edubadges", "x", "Topic 7 studies", body="Body7")], ())
    assert compared == [("edubadges:x", "elm:e7")]
    assert linker.group_id("elm:e7") == "edubadges:x"


def test_overrides_always_and_never_win_over_the_evidence() -> None:
    overrides = Overrides(
        always={frozenset({"elm:e1", "ctdl:c9"})},
        never={frozenset({"elm:e2", "edubadges:b2"})},
    )
    linker = Linker(overrides=overrides)
    linker.replace_all(
        [
            rec("elm", "e1"),
            rec("ctdl", "c9", "Completely different", body="Elsewhere"),
            rec("elm", "e2", "Robotics"),
            rec("edubadges", "b2", "Robotics"),
        ]
    )
    assert linker.group_id("ctdl:c9") == linker.group_id("elm:e1")
    assert linker.same_as("ctdl:c9")[0].evidence == ("override",)
    assert linker.group("elm:e2") is None


def test_deleting_a_member_reports_and_regroups_the_rest() -> None:
    linker = Linker()
    linker.replace_all([rec("elm", "e1"), rec("edubadges", "b1"), rec("ctdl", "c1")])
    assert linker.group("ctdl:c1") is not None
    changed = linker.apply((), ["edubadges:b1"])
    assert "edubadges:b1" in changed
    assert linker.group("edubadges:b1") is None
    assert linker.group("ctdl:c1").members == ("ctdl:c1", "elm:e1")  # type: ignore[union-attr]


def test_transitive_members_are_listed_with_their_chains_strength() -> None:
    badge = identifiers([("uri", "https://badges.example/b1")])
    linker = Linker()
    linker.replace_all(
        [
            rec("edubadges", "b1", identifiers=badge),
            rec("elm", "e1", "Completely other words", body="Elsewhere", identifiers=badge),
            rec("ctdl", "c1"),  # like b1 by its title and body, unlike e1
        ]
    )
    same = linker.same_as("elm:e1")
    assert same[0].id == "edubadges:b1" and same[0].confidence == 1.0
    assert same[1].id == "ctdl:c1" and same[1].evidence == ("transitive",)
    assert same[1].confidence == linker.same_as("ctdl:c1")[0].confidence


def test_a_page_that_becomes_an_overview_page_stops_linking() -> None:
    page = identifiers([("url", "https://uni.example/catalogue")])
    linker = Linker()
    linker.replace_all(
        [
            rec("elm", "e1", "Robotics", identifiers=page),
            rec("ctdl", "c1", "Cooking", body="Other", identifiers=page),
        ]
    )
    assert linker.group_id("ctdl:c1") == linker.group_id("elm:e1")
    changed = linker.apply([rec("elm", "e2", "Law", identifiers=page)], ())
    assert {"elm:e1", "ctdl:c1"} <= changed
    assert linker.group("ctdl:c1") is None
