"""Scrubbing personal data (pure Python) and keeping disclosures out of labels."""

import subprocess
import sys

import pytest

from analysis.privacy import is_disclosure, is_profane, nhs_number_valid, scrub


class TestScrub:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("My NHS number is 943 476 5919", "My NHS number is [NHS number]"),
            ("nhs no 9434765919 thanks", "nhs no [NHS number] thanks"),
            ("NI number AB 12 34 56 C", "NI number [NI number]"),
            ("DOB 12/03/1985 please check", "[date of birth] please check"),
            ("I was born on 3rd March 1975", "I was [date of birth]"),
            ("Dr Patel was kind", "Dr [name] was kind"),
            ("Nurse Sarah Jones was lovely", "Nurse [name] was lovely"),
            ("nurse sarah was lovely", "nurse [name] was lovely"),
            ("my husband John waited hours", "my husband [name] waited hours"),
            ("I spoke to John Smith at reception", "I spoke to [name] at reception"),
            ("Brian on reception was great", "[name] on reception was great"),
            ("I live at 12 Oak Road", "I live at [address]"),
            ("call 07700 900123", "call [phone]"),
            ("email jo@example.com", "email [email]"),
        ],
    )
    def test_personal_data_becomes_a_tag(self, text, expected):
        assert scrub(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "In 2019 Bristol Park was closed for months",  # a year before a place name
            "2018 Hilltop Green was lovely",
            "the 42 Park Road bus is always late",  # a bus number
            "Take the number 7 Station Road bus",
            "NHS number 943 476 5910 is not valid",  # wrong check digit
            "the nurse was lovely",
            "my son will be fine",
            "Royal Victoria Infirmary",
            "I waited 2 hours",
        ],
    )
    def test_what_is_not_personal_data_is_kept(self, text):
        assert scrub(text) == text

    def test_nhs_check_digit(self):
        assert nhs_number_valid("9434765919")
        assert not nhs_number_valid("9434765910")
        assert not nhs_number_valid("12345")

    def test_scrubbing_needs_no_numpy_sklearn_or_model(self):
        code = ("import sys; import analysis.privacy as p; p.scrub('Dr X'); "
                "heavy = [m for m in ('numpy', 'sklearn', 'torch') if m in sys.modules]; "
                "sys.exit(1 if heavy else 0)")
        # analysis/__init__ imports numpy, so load the module file alone, as the web process could.
        code = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('p', "
                "'analysis/privacy.py'); p = importlib.util.module_from_spec(spec); "
                "spec.loader.exec_module(p); p.scrub('Dr Smith'); "
                "heavy = [m for m in ('numpy', 'sklearn', 'torch') if m in sys.modules]; "
                "sys.exit(1 if heavy else 0)")
        assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


class TestDisclosures:
    @pytest.mark.parametrize(
        "text",
        ["I am gay and felt judged", "my HIV was discussed loudly", "my son is autistic",
         "I have cancer", "as a muslim woman I wanted a female doctor", "She is pregnant"],
    )
    def test_disclosures(self, text):
        assert is_disclosure(text)

    @pytest.mark.parametrize(
        "text",
        ["mental health services need more money", "more support for disabled people",
         "I was seen straight away", "our mental health services are stretched"],
    )
    def test_topics_are_not_disclosures(self, text):
        assert not is_disclosure(text)

    def test_profanity(self):
        assert is_profane("bloody awful wait")
        assert not is_profane("Arsenal fans and Dickens readers")
