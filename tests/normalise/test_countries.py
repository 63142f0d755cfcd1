from __future__ import annotations

import pytest

from microcred_hub.normalise import country_code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("NZ", "NZ"), ("nl", "NL"), ("NLD", "NL"), ("IRL", "IE"), ("New Zealand", "NZ"),
        ("United States", "US"), ("USA", "US"), ("U.S.A.", "US"),
        ("United States of America", "US"), ("Holland", "NL"), ("The Netherlands", "NL"),
        ("Netherlands", "NL"), ("Aotearoa", "NZ"), ("ireland", "IE"), ("UK", "GB"),
        ("Côte d'Ivoire", "CI"),
        ("http://publications.europa.eu/resource/authority/country/IRL", "IE"),
        ("http://publications.europa.eu/resource/authority/country/BEL", "BE"),
    ],
)  # fmt: skip
def test_countries_become_iso_3166_alpha_2_without_warning(value: str, expected: str) -> None:
    warnings: list[str] = []
    assert country_code(value, warnings) == expected
    assert warnings == []


def test_edubadges_en_is_read_as_gb_with_a_warning() -> None:
    warnings: list[str] = []
    assert country_code("EN", warnings) == "GB"
    assert len(warnings) == 1
    assert '"EN"' in warnings[0]


def test_unknown_country_is_none_with_a_warning_quoting_it() -> None:
    warnings: list[str] = []
    assert country_code("Narnia", warnings) is None
    assert warnings == ['unknown country "Narnia"']


def test_blank_country_is_none_without_a_warning() -> None:
    warnings: list[str] = []
    assert country_code("  ", warnings) is None
    assert warnings == []


def test_repeated_unknown_country_warns_every_time() -> None:
    # the lookup is cached; the warning belongs to each record, so it must not be cached away
    first: list[str] = []
    second: list[str] = []
    country_code("Atlantis", first)
    country_code("Atlantis", second)
    assert first == second == ['unknown country "Atlantis"']
