"""Other languages and blank answers are named and set apart, never counted as no comment."""

import pytest

from analysis import FakeEmbedder, analyse
from analysis.language import has_content, language_of


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Diolch yn fawr iawn am y gwasanaeth", "Welsh"),
        ("Dylai’r cyngor drwsio’r tyllau yn y ffordd cyn y gaeaf.", "Welsh"),
        ("Mae’r bws yn rhy ddrud i bobl ifanc.", "Welsh"),
        ("Does dim digon o lefydd parcio ger y feddygfa.", "Welsh"),
        ("More parking near the surgery please, there is not enough", None),
        ("Bardzo dobra obsługa, dziękuję", "Polish"),
        ("بہت اچھی سروس ہے", "Urdu"),
        ("خدمة ممتازة", "Arabic"),
        ("服务很好", "Chinese"),
        ("Очень хорошо", "Russian"),
        ("খুব ভালো সেবা", "Bengali"),
        ("The staff were lovely and very kind", None),
        ("no", None),
        ("Nothing", None),
    ],
)
def test_language_named(text, language):
    assert language_of(text) == language


def test_blank_is_no_letters_digits_or_symbols():
    assert not has_content("  ... -- ")
    assert has_content("👍")
    assert has_content("7")


def test_other_languages_and_blanks_have_their_own_buckets():
    texts = ["bins collection late"] * 3 + ["بہت اچھی سروس ہے", "Diolch yn fawr iawn am y gwasanaeth",
                                             "", "...", "n/a"]
    result = analyse(texts, embedder=FakeEmbedder())
    assert result.assignment[3:] == ("other_language", "other_language", "blank", "blank", "no_comment")
    assert result.other_languages == ((3, "Urdu"), (4, "Welsh"))
    assert result.accounting.other_language == 2 and result.accounting.blank == 2
    assert result.accounting.no_comment == 1 and result.accounting.balanced
