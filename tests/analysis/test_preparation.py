import pytest

from analysis.preparation import Preparer, is_no_comment, normalise, scrub


class TestNormalise:
    def test_collapses_whitespace_and_unicode(self):
        assert normalise("  Too\u00a0many\n\tspaces ") == "Too many spaces"

    def test_none_is_empty(self):
        assert normalise(None) == ""


class TestNoComment:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "  ",
            "N/A",
            "n/a.",
            "None",
            "nothing!",
            "No comment",
            "Nothing to add",
            "nothing else to say",
            "Not applicable",
            "-",
            "...",
            "No.",
            "Nothing springs to mind",
            "Can\u2019t think of anything.",
            "I don\u2019t think so",
            "Absolutely nothing!",
            "Not a thing",
            "No complaints",
            "Nothing could have been done better.",
            "Nothing at present.",
            "Can\u2019t fault anything",
            "Faultless",
            "Nothing, everything was perfect.",
            "No, everything was very good",
            "Nothing been happy with everything",
            "Nothing, you were all amazing.",
            "Absolutely nothing. Everything was very good",
        ],
    )
    def test_says_nothing(self, text):
        assert is_no_comment(text)

    @pytest.mark.parametrize(
        "text",
        [
            "No parking on my street",
            "Nothing was explained to me",
            "None of the staff",
            "Not much information was given",
            "No complaints procedure was offered",
            "Nothing could be done about the noise",
            "Nothing was good",
            "Nothing good",
            "Nothing, everything was terrible",
            "Nothing, the carers have been amazing",
            "No, everything was late",
            "Nothing, all good but the visits are far too short for my mother",
            "Can't fault the carers but the office never answers the phone",
        ],
    )
    def test_says_something(self, text):
        assert not is_no_comment(text)


class TestScrub:
    @pytest.mark.parametrize(
        "email", ["jo.bloggs@example.com", "a+b@mail.example.co.uk", "X_Y@council.gov.uk"]
    )
    def test_emails(self, email):
        assert scrub(f"Write to {email} please") == "Write to [email] please"

    @pytest.mark.parametrize(
        "phone",
        [
            "07700 900123",
            "07700900123",
            "+44 7700 900123",
            "+447700900123",
            "0044 7700 900 123",
            "(020) 7946 0958",
            "020 7946 0958",
            "0161-496-0000",
            "01632 960 000",
            "+44 (0)20 7946 0958",
            "0113 496 0000",
            "0800 123 4567",
            "07700-900-123",
            "01632.960.000",
        ],
    )
    def test_uk_phone_numbers(self, phone):
        assert scrub(f"Call me on {phone} today") == "Call me on [phone] today"

    @pytest.mark.parametrize(
        "postcode",
        ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "sw1a1aa", "W1A 0AX", "ls1 4ap"],
    )
    def test_postcodes(self, postcode):
        assert scrub(f"I live at {postcode} near here") == "I live at [postcode] near here"

    @pytest.mark.parametrize(
        "address",
        ["12 High Street", "221B Baker St", "Flat 3, 45 Church Road", "7 Acacia Avenue", "10 Downing St."],
    )
    def test_street_addresses(self, address):
        assert "[address]" in scrub(f"My house is {address} and it floods")
        assert address.split()[-1].rstrip(".") not in scrub(f"My house is {address}")

    @pytest.mark.parametrize(
        "text",
        [
            "I waited 2 hours for 3 buses",
            "Open 24 hours a day",
            "Year 2023 was bad",
            "about 10 people walked down the road",
            "Ward 12 was clean",
        ],
    )
    def test_ordinary_numbers_survive(self, text):
        assert scrub(text) == text

    def test_all_at_once(self):
        text = "Jo, 12 High Street, LS1 4AP, jo@example.com, 07700 900123"
        assert scrub(text) == "Jo, [address], [postcode], [email], [phone]"


TEMPLATE = (
    "I strongly object to the proposed closure of the Elm Road library because it is the "
    "only place where older residents and children can read and learn for free"
)


class TestCampaigns:
    def test_groups_near_identical_letters(self):
        texts = [
            TEMPLATE,
            TEMPLATE + ".",
            "Dear council, " + TEMPLATE,
            TEMPLATE.upper(),
            "The bins are never collected on time",
            "More buses on the 42 route please",
        ]
        prepared = Preparer().prepare(texts)
        assert len(prepared.campaigns) == 1
        assert prepared.campaigns[0].members == (0, 1, 2, 3)
        # The shortest copy, ties broken by text: the same whatever the row order.
        assert prepared.campaigns[0].representative == 3

    def test_representative_alone_is_analysed(self):
        texts = [TEMPLATE] * 5 + ["The bins are never collected on time"]
        prepared = Preparer().prepare(texts)
        assert prepared.analysable == (0, 5)

    def test_short_stock_phrases_are_not_campaigns(self):
        prepared = Preparer().prepare(["Very good service"] * 20)
        assert prepared.campaigns == ()
        assert len(prepared.analysable) == 20

    def test_two_copies_are_not_a_campaign(self):
        assert Preparer().prepare([TEMPLATE, TEMPLATE]).campaigns == ()

    def test_different_long_texts_stay_apart(self):
        texts = [f"{TEMPLATE} {i}" for i in range(3)] + [
            "I support the closure because a new digital service and mobile library van "
            "would reach far more people across the whole district every week"
        ] * 1
        prepared = Preparer().prepare(texts)
        assert [c.members for c in prepared.campaigns] == [(0, 1, 2)]

    def test_no_comment_set_aside(self):
        prepared = Preparer().prepare(["n/a", "Bins!", None, "nothing"])
        assert prepared.no_comment == (0, 3) and prepared.blank == (2,)
        assert prepared.analysable == (1,)


class TestCampaignCopiesWithChanges:
    def test_copies_that_change_words_or_add_sentences_stay_in_the_campaign(self):
        changed = TEMPLATE.replace("older residents", "elderly residents").replace("read", "study")
        added = (TEMPLATE + ". My children go every Saturday. The staff know them by name. "
                 "Where else would they go?")
        texts = [TEMPLATE, TEMPLATE + ".", changed, added, "The bins are never collected on time"]
        prepared = Preparer().prepare(texts)
        assert [c.members for c in prepared.campaigns] == [(0, 1, 2, 3)]

    def test_the_representative_does_not_depend_on_row_order(self):
        texts = [TEMPLATE + " Thank you.", TEMPLATE, "Dear council, " + TEMPLATE]
        first = Preparer().prepare(texts).campaigns[0]
        again = Preparer().prepare(texts[::-1]).campaigns[0]
        assert texts[first.representative] == texts[::-1][again.representative] == TEMPLATE
