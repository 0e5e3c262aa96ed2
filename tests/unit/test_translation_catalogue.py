"""Every string people read is in the Welsh catalogue (issue 28): nothing unmarked, nothing without Welsh.

tests/i18n_audit.py does the finding; `python -m tests.i18n_audit [path ...]` prints the same lists.
"""

import pytest
from babel.messages.pofile import read_po

from app import i18n
from tests import i18n_audit


def _report(findings) -> str:
    return "\n".join(str(f) for f in findings[:60]) + (f"\n... and {len(findings) - 60} more" if len(findings) > 60 else "")


def test_no_template_text_people_read_is_left_unmarked():
    findings = i18n_audit.template_findings()
    assert not findings, "mark these with _() in the template:\n" + _report(findings)


def test_no_message_python_shows_people_is_left_unmarked():
    findings = i18n_audit.python_findings()
    assert not findings, "mark these with _() (or N_ where defined at import time):\n" + _report(findings)


def test_every_marked_string_has_welsh_with_the_same_placeholders():
    findings = i18n_audit.catalogue_findings()
    assert not findings, "write the Welsh in app/locale/cy/LC_MESSAGES/messages.po:\n" + _report(findings)


def test_the_catalogue_says_it_awaits_a_welsh_speakers_review():
    header = i18n.CATALOGUE.read_text(encoding="utf-8").split("msgid", 1)[0]
    assert "AWAITING REVIEW BY A WELSH SPEAKER" in header


def test_welsh_plural_forms_are_the_six_welsh_has():
    with i18n.CATALOGUE.open("rb") as po:
        catalogue = read_po(po, locale="cy")
    assert catalogue.num_plurals == 6
    with i18n.use_locale("cy"):
        assert i18n.gettext("Sign in") == "Mewngofnodi"
    assert i18n.gettext("Sign in") == "Sign in"


@pytest.mark.parametrize(("header", "expected"), [
    ("cy-GB,cy;q=0.9,en;q=0.8", "cy"), ("en-GB,en;q=0.9,cy;q=0.5", "en"), ("fr", "en"), ("", "en"),
    ("cy;q=bad,en", "en"),
])
def test_a_browser_asking_for_welsh_gets_welsh_until_the_switch_says_otherwise(header, expected):
    assert i18n.locale_from_headers(None, header) == expected
    assert i18n.locale_from_headers("chorus_lang=en", header) == "en"
    assert i18n.locale_from_headers("other=1; chorus_lang=cy", header) == "cy"
