from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred_hub.normalise import language_code

SHARED_SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("en", "en"), ("EN", "en"), ("en_EN", "en"), ("nl_NL", "nl"), ("en-US", "en"),
        ("en-EN", "en"), ("eng", "en"), ("nld", "nl"), ("dut", "nl"), ("English", "en"),
        ("Nederlands", "nl"), ("Te Reo Māori", "mi"), ("zh-Hant-TW", "zh"),
        ("http://publications.europa.eu/resource/authority/language/ENG", "en"),
        ("http://publications.europa.eu/resource/authority/language/FRA", "fr"),
    ],
)  # fmt: skip
def test_language_codes_become_iso_639_1(value: str, expected: str) -> None:
    assert language_code(value) == expected


@pytest.mark.parametrize("value", ["xx", "Klingonese", "", "qaa"])
def test_unknown_language_is_none(value: str) -> None:
    assert language_code(value) is None


def _uris(node: object, marker: str) -> list[str]:
    if isinstance(node, dict):
        return [u for v in node.values() for u in _uris(v, marker)]
    if isinstance(node, list):
        return [u for v in node for u in _uris(v, marker)]
    return [node] if isinstance(node, str) and marker in node else []


def test_every_eu_language_uri_in_the_shared_samples_maps() -> None:
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("shared/samples is not beside the repository (only on the team's machines)")
    uris = {
        uri
        for path in (SHARED_SAMPLES / "elm").glob("*.json")
        for uri in _uris(json.loads(path.read_text(encoding="utf-8")), "authority/language/")
        if uri.rsplit("/", 1)[-1].isupper()
    }
    assert uris, "expected EU language URIs in the ELM samples"
    assert all(language_code(uri) is not None for uri in uris)


def test_language_codes_keeps_each_once_in_order_and_warns_on_unknown_ones() -> None:
    from microcred_hub.normalise import language_codes

    warnings: list[str] = []
    assert language_codes(["en-US", None, "", "nl_NL", "English", "Klingon"], warnings) == (
        "en",
        "nl",
    )
    assert warnings == ['unknown language "Klingon"; left out']
