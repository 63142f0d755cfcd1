"""Providers merge one awarding body across spellings and registers; distinct hides members."""

from __future__ import annotations

from microcred_hub.index import Index
from microcred_hub.record import Organisation
from tests.factories import make_record


def body(name: str, country: str = "NL", org_id: str | None = None) -> tuple[Organisation, ...]:
    return (Organisation(name=name, country=country, id=org_id),)


def test_one_body_under_several_names_and_registers_is_one_provider() -> None:
    index = Index(
        [
            make_record(
                "1", source="edubadges", awarding_bodies=body("Rijksuniversiteit Groningen")
            ),
            make_record("2", source="elm", awarding_bodies=body("University of Groningen")),
            make_record("3", source="elm", awarding_bodies=body("University of Groningen")),
            make_record("4", source="openbadges", awarding_bodies=body("RUG")),
            make_record(
                "5", source="elm", awarding_bodies=body("Hanze University of Applied Sciences")
            ),
        ]
    )
    page = index.providers()
    assert page.total == 2
    rug = page.providers[0]
    assert (rug.name, rug.country, rug.microcredential_count) == (
        "University of Groningen",
        "NL",
        4,
    )
    assert rug.aliases == ["RUG", "Rijksuniversiteit Groningen"]
    assert rug.sources == ["edubadges", "elm", "openbadges"]
    assert [(c.source, c.count) for c in rug.source_counts] == [
        ("edubadges", 1),
        ("elm", 2),
        ("openbadges", 1),
    ]
    assert rug.id == "NL:groningen-univ"
    # an alias finds the body
    assert [p.id for p in index.providers(text="rijksuniversiteit").providers] == [rug.id]


def test_an_organisation_id_merges_spellings_no_rule_relates() -> None:
    org = "https://orgs.example.nz/otago-polytechnic"
    index = Index(
        [
            make_record(
                "1",
                source="nzqa",
                awarding_bodies=body("Te Pūkenga – Otago Polytechnic", "NZ", org),
            ),
            make_record(
                "2", source="openbadges", awarding_bodies=body("Otago Polytechnic", "NZ", org)
            ),
        ]
    )
    assert [p.microcredential_count for p in index.providers().providers] == [2]


def test_provider_ids_stay_when_other_records_change() -> None:
    records = [
        make_record("1", source="elm", awarding_bodies=body("University of Groningen")),
        make_record("2", source="elm", awarding_bodies=body("Maastricht University")),
    ]
    index = Index(records)
    before = {p.name: p.id for p in index.providers().providers}
    index.update(
        [make_record("3", source="x", awarding_bodies=body("Maastricht University"))], ["elm:1"]
    )
    after = {p.name: p.id for p in index.providers().providers}
    assert after["Maastricht University"] == before["Maastricht University"]


def test_distinct_leaves_out_the_records_that_are_not_representatives() -> None:
    index = Index([make_record(str(i), source="elm") for i in range(4)])
    version = index.version
    index.set_duplicates(["elm:1", "elm:2"], [])
    assert index.version == version + 1
    assert index.search(first=10, distinct=True).total == 2
    assert index.search(first=10).total == 4
    assert sum(n for _, n in index.facets(distinct=True)["source"]) == 2
    index.set_duplicates([], ["elm:1"])
    assert [r.id for r in index.search(first=10, distinct=True).records] == [
        "elm:0",
        "elm:1",
        "elm:3",
    ]
    index.update([], ["elm:2"])
    index.set_duplicates([], ["elm:2"])  # gone: ignored
    assert index.search(first=10, distinct=True).total == 3


def test_bodies_of_linked_records_are_one_provider_under_both_names() -> None:
    index = Index(
        [
            make_record("MC1", source="nzqa", awarding_bodies=body("AMU Syd", "DK")),
            make_record("x", source="europass", awarding_bodies=body("AMU South Denmark", "DK")),
            make_record("y", source="europass", awarding_bodies=body("AMU South Denmark", "DK")),
        ]
    )
    assert index.providers().total == 2
    index.set_duplicates([], [], lambda: [("europass:x", "nzqa:MC1")])
    (provider,) = index.providers().providers
    assert (provider.name, provider.aliases, provider.microcredential_count) == (
        "AMU South Denmark",
        ["AMU Syd"],
        3,
    )
    assert provider.id == "DK:amu-denmark-south"  # the smaller key of the two: stable
