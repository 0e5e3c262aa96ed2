"""Email normalisation and location parsing: the rules that decide who is the same person."""

import pytest

from app.errors import InvalidInput
from app.services.petitions.email_addresses import check_signer_email, email_domain, normalise_email
from app.services.petitions.signing import clean_signer, parse_location


@pytest.mark.parametrize(("typed", "key"), [
    ("Jane.Doe@Example.org", "jane.doe@example.org"),
    ("jane+petitions@example.org", "jane@example.org"),
    ("J.a.n.e+x@gmail.com", "jane@gmail.com"),
    ("jane.doe@googlemail.com", "janedoe@gmail.com"),
    ("  JANE@GMAIL.COM ", "jane@gmail.com"),
    ("jane.doe@outlook.com", "jane.doe@outlook.com"),
])
def test_normalise_email(typed, key):
    assert normalise_email(typed) == key


def test_email_domain_is_lower_case():
    assert email_domain("x@Mail.Example.ORG") == "mail.example.org"


def test_invalid_email_is_a_field_error():
    with pytest.raises(InvalidInput) as error:
        check_signer_email("not an email")
    assert "email" in error.value.errors


@pytest.mark.parametrize(("typed", "expected"), [
    ("rv1 2ab", ("RV12AB", "")),
    ("SW1A 1AA", ("SW1A1AA", "")),
    ("Northgate  ward", ("", "Northgate ward")),
])
def test_parse_location(typed, expected):
    assert parse_location(typed) == expected


def test_clean_signer_lists_every_problem():
    with pytest.raises(InvalidInput) as error:
        clean_signer(name="", email="nope", location="", consent=False, notify=False)
    assert set(error.value.errors) == {"name", "email", "location", "consent"}
