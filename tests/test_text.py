from __future__ import annotations

from kapbot.text import clauses, clean_question, split_sentences, words


def test_clean_question_kinds_of_bad_input() -> None:
    assert clean_question("", 100).problem == "empty"
    assert clean_question("   \n\t ", 100).problem == "empty"
    assert clean_question("x" * 101, 100).problem == "too_long"
    assert clean_question("x" * 100_000, 2000).problem == "too_long"
    assert clean_question(b"\xff\xfe\xfa", 100).problem == "not_text"
    assert clean_question("\x00\x00\x00\x00abc", 100).problem == "not_text"
    assert clean_question(12345, 100).problem == "not_text"
    assert clean_question("<img src=x onerror=alert(1)>", 100).problem == "not_text"
    assert clean_question("!!! ???", 100).problem == "not_text"


def test_clean_question_removes_markup_and_controls() -> None:
    cleaned = clean_question("<b>What</b> is\x07 <script>alert(1)</script>KAP?\u202e", 200)
    assert cleaned.problem == ""
    assert cleaned.text == "What is KAP?"
    stray = clean_question("is 2 < 3 and 5 > 4 ok?", 200).text
    assert "<" not in stray and ">" not in stray
    assert clean_question("&lt;script&gt;hi", 200).text.count("<") == 0


def test_other_scripts_are_flagged_not_english() -> None:
    assert clean_question("ケタミン療法とは何ですか", 200).problem == "not_english"
    assert clean_question("Что такое кетаминовая терапия?", 200).problem == "not_english"
    assert clean_question("¿Qué es la integración?", 200).problem == ""


def test_split_sentences_keeps_text_unchanged() -> None:
    text = "It is “weird.” Then 45-60 minutes pass. Done!\n\nNew paragraph (yes)."
    assert split_sentences(text) == [
        "It is “weird.”", "Then 45-60 minutes pass.", "Done!", "New paragraph (yes).",
    ]


def test_words_are_lowercase_stemmed_content_words() -> None:
    assert words("The Sessions are INTEGRATING journeys") == ["session", "integrat", "journey"]


def test_markup_leaves_no_attribute_residue() -> None:
    """A '>' inside a quoted attribute ended the old regex's tag early, keeping the rest."""
    attack = '<img alt="a>b" src=x onerror=alert(1)>'
    assert clean_question(attack, 200).problem == "not_text"
    cleaned = clean_question(f"{attack}What is KAP?<!-- <b>hidden</b> -->", 200)
    assert cleaned.text == "What is KAP?"
    assert clean_question("is 2 < 3 & 5 > 4 ok?", 200).text == "is 2 ‹ 3 & 5 › 4 ok?"


def test_split_sentences_knows_titles_and_abbreviations() -> None:
    text = ("I'm Dr. Maya Okafor, PsyD, in Portland. Bring someone, e.g. your partner, to "
            "drive you home.\n\nMrs. Lee answers the phone.")
    assert split_sentences(text) == [
        "I'm Dr. Maya Okafor, PsyD, in Portland.",
        "Bring someone, e.g. your partner, to drive you home.", "Mrs. Lee answers the phone.",
    ]


def test_clauses_still_split_lower_case_sentences_for_the_screen() -> None:
    assert clauses("saw dr. smith today. i want to die; really\nok") == [
        "saw dr.", "smith today.", "i want to die;", "really", "ok",
    ]
