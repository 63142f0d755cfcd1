from __future__ import annotations

from microcred_hub.normalise import (
    as_list,
    clean_text,
    clean_title,
    display_title,
    lang_strings,
    match_fold,
)
from microcred_hub.record import LangString
from microcred_hub.sdk import JSON


def test_title_whitespace_is_trimmed_and_collapsed() -> None:
    title = " Dairy Effluent  Management and Compliance "
    assert clean_title(title) == "Dairy Effluent Management and Compliance"


def test_maori_macrons_survive_nfc_from_decomposed_input() -> None:
    assert clean_text("Ma\u0304ori") == "Māori"
    assert clean_title("Te Reo Ma\u0304ori") == "Te Reo Māori"


def test_dutch_diacritics_survive() -> None:
    assert clean_title("Coo\u0308rdinatie") == "Coördinatie"


def test_html_is_stripped_from_titles_and_entities_unescaped() -> None:
    assert clean_title("<p>Intro to <b>AI</b> &amp; ML</p>") == "Intro to AI & ML"


def test_block_tags_in_titles_separate_words() -> None:
    assert clean_title("Part one<br/>Part two") == "Part one Part two"


def test_text_that_only_looks_like_comparison_is_not_treated_as_html() -> None:
    assert clean_title("a < b > c") == "a < b > c"


def test_markdown_and_inner_whitespace_are_kept_in_descriptions() -> None:
    text = "  **Bold** intro\n\n- first  outcome\n- <second>  "
    assert clean_text(text) == "**Bold** intro\n\n- first  outcome\n- <second>"


def test_fold_ignores_case_and_accents() -> None:
    assert match_fold("Māori") == match_fold("MAORI") == "maori"
    assert match_fold("Coördinatie") == match_fold("coordinatie")


def test_as_list_reads_json_ld_object_or_array() -> None:
    assert as_list(None) == []
    assert as_list([1, 2]) == [1, 2]
    assert as_list({"a": 1}) == [{"a": 1}]
    assert as_list("x") == ["x"]


def test_lang_strings_reads_a_plain_string_with_the_default_language() -> None:
    assert lang_strings(" x ", default_lang="en") == (LangString(value="x", lang="en"),)


def test_lang_strings_reads_a_list_of_strings_and_drops_empty_ones() -> None:
    assert lang_strings(["a", " ", "b"]) == (LangString(value="a"), LangString(value="b"))


def test_lang_strings_reads_language_maps_with_list_values() -> None:
    value: JSON = {"en-US": ["x", "z"], "nl_NL": "y"}
    assert lang_strings(value) == (
        LangString(value="x", lang="en"),
        LangString(value="z", lang="en"),
        LangString(value="y", lang="nl"),
    )


def test_lang_strings_keeps_unknown_language_keys_lower_cased() -> None:
    assert lang_strings({"XX-YY": "q"}) == (LangString(value="q", lang="xx-yy"),)


def test_lang_strings_reads_json_ld_value_objects() -> None:
    value: JSON = [{"@value": "v", "@language": "en-GB"}, {"@value": "w"}]
    assert lang_strings(value, default_lang="nl") == (
        LangString(value="v", lang="en"),
        LangString(value="w", lang="nl"),
    )


def test_lang_strings_reads_value_objects_inside_a_language_map() -> None:
    assert lang_strings({"en": [{"@value": "x"}]}) == (LangString(value="x", lang="en"),)


def test_lang_strings_cleans_titles_only_when_asked() -> None:
    raw: JSON = {"en": " <b>Deep</b>  dive "}
    assert lang_strings(raw, title=True) == (LangString(value="Deep dive", lang="en"),)
    assert lang_strings(raw) == (LangString(value="<b>Deep</b>  dive", lang="en"),)


def test_lang_strings_ignores_nodes_that_are_not_texts() -> None:
    assert lang_strings({"id": "urn:epass:note:1", "type": "Note"}) == ()


def test_display_title_prefers_english() -> None:
    titles = (LangString(value="Titel", lang="nl"), LangString(value="Title", lang="en"))
    assert display_title(titles) == "Title"


def test_display_title_falls_back_to_the_first_language_then_empty() -> None:
    assert display_title((LangString(value="Titel", lang="nl"),)) == "Titel"
    assert display_title(()) == ""
