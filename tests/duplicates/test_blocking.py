"""The blocking rule: an oversized block gives no candidates, the specific keys still do."""

from __future__ import annotations

import itertools
from typing import Any

from microcred_hub.duplicates import Linker
from microcred_hub.duplicates.linker import BLOCK_CAP
from microcred_hub.record import Level, Microcredential, Organisation, Workload
from tests.factories import make_record


def rec(source: str, local_id: str, title: str, **fields: Any) -> Microcredential:
    fields.setdefault("awarding_bodies", (Organisation(name="Hanze Groningen", country="NL"),))
    fields.setdefault("issuer_country", ("NL",))
    fields.setdefault("url", None)
    return make_record(local_id, title, source=source, **fields)


def words(count: int) -> list[str]:
    """Distinct made-up subject words (letters only: no stage marker, no stop word)."""
    return [
        "quiz" + a + b
        for a, b in itertools.islice(itertools.product("bcdfghkmpt", repeat=2), count)
    ]


def fillers(count: int, first: str = "Leadership") -> list[Microcredential]:
    """One register's offers of one body whose titles all share ``first``: past the cap,
    the block of the body's name with that word is oversized."""
    return [rec("elm", f"f{i}", f"{first} {word}") for i, word in enumerate(words(count))]


def counting(linker: Linker) -> list[tuple[str, str]]:
    compared: list[tuple[str, str]] = []
    original = linker._compare

    def compare(a: Any, b: Any) -> Any:
        compared.append((a.id, b.id))
        return original(a, b)

    linker._compare = compare  # type: ignore[method-assign]
    return compared


def test_an_oversized_block_gives_no_candidates_but_the_word_pair_still_links() -> None:
    linker = Linker()
    linker.replace_all(fillers(BLOCK_CAP + 1, "Data"))
    compared = counting(linker)
    target = words(BLOCK_CAP + 1)[7]
    linker.apply([rec("edubadges", "x", f"Data {target}")], ())
    # "data" is every filler's word: only the filler with the same pair is compared
    assert compared == [("edubadges:x", "elm:f7")]
    assert linker.group_id("elm:f7") == "edubadges:x"


def test_a_block_at_the_cap_still_gives_candidates() -> None:
    linker = Linker()
    linker.replace_all(fillers(BLOCK_CAP - 1, "Data"))
    compared = counting(linker)
    linker.apply([rec("edubadges", "x", "Data")], ())
    assert len(compared) == BLOCK_CAP - 1  # the block now holds BLOCK_CAP: not oversized


def test_identical_titles_of_one_word_link_however_common_the_word() -> None:
    linker = Linker()
    linker.replace_all([*fillers(BLOCK_CAP + 5), rec("elm", "e1", "Leadership")])
    linker.apply([rec("edubadges", "b1", "Leadership")], ())
    assert linker.group_id("elm:e1") == "edubadges:b1"


def pair() -> list[Microcredential]:
    """Two listings that meet only through the block of their one shared word: one title
    adds a word ("Leadership" / "Leadership coaching"), everything else agrees."""
    same = {"workload": Workload(ects=5.0), "level": Level(eqf=6)}
    return [
        rec("edubadges", "b1", "Leadership", **same),
        rec("ctdl", "c1", "Leadership coaching", **same),
    ]


def test_a_link_resting_on_a_block_that_grows_past_the_cap_goes_and_comes_back() -> None:
    linker = Linker()
    linker.replace_all(pair())
    assert linker.group_id("ctdl:c1") == "ctdl:c1" == linker.group_id("edubadges:b1")
    many = fillers(BLOCK_CAP)
    changed = linker.apply(many, ())
    # the block of "leadership" now holds BLOCK_CAP + 2 listings: it names no one offer
    assert {"edubadges:b1", "ctdl:c1"} <= changed
    assert linker.group("ctdl:c1") is None
    changed = linker.apply((), [many[0].id, many[1].id, many[2].id])
    assert {"edubadges:b1", "ctdl:c1"} <= changed
    assert linker.group_id("edubadges:b1") == "ctdl:c1"


def test_what_links_does_not_depend_on_the_order_records_arrive() -> None:
    records = [*pair(), *fillers(BLOCK_CAP + 1), rec("openbadges", "o1", "Leadership quizbb")]
    at_once = Linker()
    at_once.replace_all(records)
    one_by_one = Linker()
    for record in records:
        one_by_one.apply([record], ())
    grouped = [(g.id, g.members) for g in at_once.groups()]
    assert grouped == [(g.id, g.members) for g in one_by_one.groups()]
    assert at_once.group("ctdl:c1") is None
    assert at_once.group_id("openbadges:o1") == at_once.group_id("elm:f0")
