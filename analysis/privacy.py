"""Personal data out of everything shown: pure Python (re only), so the web process can scrub too.

`scrub(text)` replaces emails, UK phone numbers, NHS numbers (check digit validated), National
Insurance numbers, dates of birth, street addresses, postcodes and people's names with tags.
`is_disclosure(text)` says whether a person tells something special-category about themselves
or someone close ("I am gay", "my HIV"); such text never feeds a label or keyword.
`is_profane(text)` keeps swearing out of labels.
"""

from __future__ import annotations

import re


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# UK numbers: +44 / 0044 / 0 prefixes, optional (0), brackets, spaces, dots, dashes.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)"
    r"\d(?:[\s.\-)]{0,2}\d){7,10}(?!\d)"
)
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)"
    r"\s?[0-9][ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|crescent|cres|court|ct"
    r"|place|pl|grove|gardens|gdns|terrace|terr|square|sq|hill|park|mews|row|walk|rise"
    r"|green|parade|view|boulevard|highway"
)
_ADDRESS = re.compile(
    r"\b(?:(?:flat|apartment|apt|unit)\s+\d+[a-z]?,?\s+)?\d{1,4}[a-z]?,?\s+"
    r"(?:[A-Z][a-z'\-]+\s+){1,3}(?:" + _STREET_WORDS + r")\b\.?",
    re.IGNORECASE,
)
# Words just before a number that make it a bus, route or count, not a house number.
_NOT_HOUSE_BEFORE = re.compile(
    r"(?:bus|buses|route|service|no\.?|number|num|the|ward|bay|room|bed|platform)\s*$", re.IGNORECASE
)
# NHS number: 10 digits as 3-3-4 (spaces or dashes) or run together; validated by check digit.
_NHS_NUMBER = re.compile(r"(?<![\d\w])(\d{3})[\s-]?(\d{3})[\s-]?(\d{4})(?![\d\w])")
# National Insurance number: two letters, six digits, a suffix A-D. Any two letters: HMRC's own
# example prefix (QQ) and prefixes never issued still identify the shape someone typed.
_NI_NUMBER = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS + r")\.?,?\s+\d{2,4}"
    r"|(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
)
_DOB = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|born(?:\s+on)?)\s*(?:is|was|[:\-])?\s*" + _DATE,
    re.IGNORECASE,
)

# --- names ----------------------------------------------------------------------
_TITLES = r"(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sister|Nurse|Matron|Sir|Dame|Rev|Revd|Father)"
_ROLES = (
    r"(?:nurse|doctor|dr|midwife|consultant|surgeon|receptionist|carer|physio|physiotherapist"
    r"|paramedic|sister|matron|porter|gp|hca|registrar|manager|cleaner|therapist|pharmacist"
    r"|councillor|officer|teacher|social worker|health visitor|healthcare assistant"
    r"|husband|wife|son|daughter|mum|mom|mother|dad|father|partner|brother|sister|friend"
    r"|neighbour|neighbor|grandson|granddaughter|grandmother|grandfather|nan|gran|grandad"
    r"|aunt|uncle|niece|nephew|boyfriend|girlfriend|fiance|fiancee|baby|child)"
)
# Capitalised words that follow a role or title but are not names.
_NOT_NAMES = frozenset(_words(
    "I The A An And But Or So If In On At To For Of With From By As Was Were Is Are Be Been Who"
    " Which That This These Those There Then He She They We You It His Her Their Our My Your"
    " Very Really Also Always Never Not No Yes All Any Some Ward Unit Team Department Dept"
    " Hospital Surgery Practice Centre Center Service Services NHS GP A&E Monday Tuesday"
    " Wednesday Thursday Friday Saturday Sunday January February March April June July August"
    " September October November December Thank Thanks Please Great Good Excellent"
))
# Common UK first names (ONS baby-name lists and older census favourites). Words that are also
# ordinary English (Will, May, Grace, Hope, Joy, Mark, Bill, Frank, Rose, Dawn, Sue, Pat,
# Faith, Jack, Amber, Ruby, Summer, Holly, Ivy, Iris, Olive, Autumn, Heather, Victor) are left
# out of the stand-alone list and caught only after a title or role, or before a surname.
_FIRST_NAMES = frozenset(_words(
    """aaron abdul abigail adam adrian agnes ahmed aidan aisha alan albert alex alexander alexandra
    alfie alice alison amanda amelia amy andrea andrew andy angela anita ann anna anne annie anthony
    archie arthur ashley barbara barry ben benjamin beryl beth bethany betty beverley brenda brian
    callum carl carol caroline catherine charles charlie chloe chris christine christopher
    claire clare colin connor craig daisy daniel danielle darren david dean debbie deborah denise
    dennis derek diane donna doreen dorothy douglas edward eileen elaine eleanor elizabeth ellie
    emily emma eric ethan eve evelyn fatima fiona frances freddie gail gareth gary gavin
    george gemma geoffrey gillian gordon graham hannah harriet harry harvey hazel helen
    henry ian irene isaac isabella isla jacob james jamie jane janet janice jason jayne jean
    jennifer jenny jessica jill joan joanne john jonathan joseph josh joshua joyce judith julie
    karen kate katie kathleen kathryn keith kelly kenneth kevin kieran kim kirsty laura lauren
    leah lee leo lesley leslie liam lily linda lisa liz lorraine louise lucy luke lynn lynne
    margaret maria marie marion martin mary matthew maureen megan melanie michael michelle mohammed
    mohammad muhammad nadia natalie nathan neil nicholas nicola nigel noah norman oliver olivia
    oscar owen pamela patricia paul paula pauline peter philip rachel raymond rebecca richard
    robert roger ronald rosemary ross russell ruth ryan sally samantha samuel sandra sarah scott
    sean shane sharon sheila shirley simon sophie stephen steve steven stuart susan suzanne
    teresa theo thomas tina tom tony tracey tracy trevor valerie vanessa vicky vincent
    wayne wendy william yvonne zoe"""
))
_NOT_NAMES_LOWER = frozenset(w.lower() for w in _NOT_NAMES)
_AMBIGUOUS_NAMES = frozenset(_words(
    "will may grace hope joy mark bill frank rose dawn sue pat faith jack amber ruby summer holly"
    " ivy iris olive autumn heather victor sunny june april victoria georgia florence charlotte"
    " chelsea jordan austin lincoln"
))
_CAP = r"[A-Z][a-z'\-]+(?:-[A-Z][a-z'\-]+)?"
_TITLED = re.compile(r"\b" + _TITLES + r"\.?\s+(" + _CAP + r")(\s+" + _CAP + r")?")
_ROLE_NAME = re.compile(r"\b" + _ROLES + r"\s+([A-Za-z][a-z'\-]+)(?-i:(\s+" + _CAP + r"))?", re.IGNORECASE)
_PAIR = re.compile(r"\b(" + _CAP + r")\s+(" + _CAP + r")\b")
_WORD_CAP = re.compile(r"\b" + _CAP + r"\b")


def _is_name(word: str, *, capital_required: bool = True) -> bool:
    if capital_required and not word[:1].isupper():
        return False
    if word in _NOT_NAMES:
        return False
    lower = word.lower()
    return word[:1].isupper() or lower in _FIRST_NAMES or lower in _AMBIGUOUS_NAMES


def _titled(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _NOT_NAMES:
        return match.group(0)
    title = match.group(0).split()[0]
    return f"{title} [name]"


def _role_name(match: re.Match[str]) -> str:
    whole, name, rest = match.group(0), match.group(1), match.group(2) or ""
    if name in _NOT_NAMES or name.lower() in _NOT_NAMES_LOWER:
        return whole
    # Lower-case: only a listed first name ("nurse sarah"); capitalised: any ("nurse Okafor").
    if not (name.lower() in _FIRST_NAMES or name[:1].isupper()):
        return whole
    head = whole[: match.start(1) - match.start(0)]
    surname = rest if rest and rest.strip() not in _NOT_NAMES else ""
    return f"{head}[name]" + ("" if surname else rest)


def _pair(match: re.Match[str]) -> str:
    first, second = match.group(1), match.group(2)
    known = first.lower() in _FIRST_NAMES or first.lower() in _AMBIGUOUS_NAMES
    if known and second not in _NOT_NAMES and first not in _NOT_NAMES:
        return "[name]"
    return match.group(0)


def _single_name(match: re.Match[str]) -> str:
    word = match.group(0)
    return "[name]" if word.lower() in _FIRST_NAMES and word not in _NOT_NAMES else word


def scrub_names(text: str) -> str:
    text = _TITLED.sub(_titled, text)
    text = _ROLE_NAME.sub(_role_name, text)
    text = _PAIR.sub(_pair, text)
    return _WORD_CAP.sub(_single_name, text)


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check digit (weights 10 down to 2; 11 means 0; 10 is invalid)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _nhs_or_keep(match: re.Match[str]) -> str:
    return "[NHS number]" if nhs_number_valid("".join(match.groups())) else match.group(0)


def scrub(text: str) -> str:
    """Replace personal data with tags: [email], [NHS number], [NI number], [date of birth],
    [address], [postcode], [phone], [name]."""
    text = _EMAIL.sub("[email]", text)
    text = _DOB.sub("[date of birth]", text)
    text = _NHS_NUMBER.sub(_nhs_or_keep, text)
    text = _NI_NUMBER.sub("[NI number]", text)
    text = _ADDRESS.sub(_address_or_keep, text)
    text = _POSTCODE.sub("[postcode]", text)
    text = _PHONE.sub(_phone_or_keep, text)
    return scrub_names(text)


def _address_or_keep(match: re.Match[str]) -> str:
    # "2 hours" never matches (no street word); "3 times the road" would, so the
    # words between number and street word must look like a name (capitalised).
    found = match.group(0)
    words = found.split()
    number = re.sub(r"\D", "", words[0]) if words[0][:1].isdigit() else ""
    # "2019 Bristol Hill was ..." or "the 42 Park Road bus": a year or a bus number, not a house.
    if len(number) == 4 and 1900 <= int(number) <= 2099:
        return found
    if _NOT_HOUSE_BEFORE.search(match.string[: match.start()]):
        return found
    if re.match(r"\s*bus(?:es)?\b", match.string[match.end():], re.IGNORECASE):
        return found
    names = words[1:-1]
    if any(w[:1].isupper() for w in names):
        return "[address]"
    return found


def _phone_or_keep(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[phone]" if 10 <= len(digits) <= 14 else match.group(0)


# --- special-category disclosures ----------------------------------------------------

_SPECIAL = (
    r"gay|lesbian|bisexual|bi|queer|trans|transgender|non[- ]binary|homosexual|asexual"
    r"|muslim|jewish|christian|hindu|sikh|buddhist|catholic|atheist|religious"
    r"|black|asian|white|mixed race|gypsy|traveller|roma|arab"
    r"|disabled|autistic|deaf|blind|dyslexic|diabetic|epileptic|pregnant|hiv positive|hiv\+?"
    r"|bipolar|schizophrenic|depressed|suicidal|an alcoholic|an addict|infertile|terminally ill"
)
_CONDITIONS = (
    r"hiv|aids|cancer|diabetes|depression|anxiety|schizophrenia|bipolar|autism|adhd|dementia"
    r"|pregnancy|miscarriage|abortion|religion|faith|sexuality|gender identity|transition"
    r"|disability|mental health|mental illness|condition|diagnosis|ms|epilepsy|addiction"
    r"|eating disorder|anorexia|bulimia|ptsd|ocd|stroke|heart condition|std|sti|illness"
    r"|medication|sexual orientation|ethnicity|race|partner's illness|overdose|self[- ]harm"
)
_PERSON = (
    r"(?:i|i'm|im|i've|ive|me|my|our|(?:my|our)\s+"
    r"(?:son|daughter|husband|wife|partner|child|mum|dad|mother|father|brother|sister|friend))"
)
_DISCLOSURES = (
    re.compile(r"\b(?:i\s+am|i'm|im|i\s+was|i've\s+been|ive\s+been|being|as\s+an?|(?:he|she|they)\s+(?:is|are|was))\s+"
               r"(?:an?\s+)?(?:" + _SPECIAL + r")\b", re.IGNORECASE),
    re.compile(r"\b(?:my|his|her)\s+(?:own\s+)?(?:" + _CONDITIONS + r")\b", re.IGNORECASE),
    re.compile(r"\b(?:i|we|he|she)\s+(?:have|has|had|was diagnosed with|live with|lives with|suffer from"
               r"|suffers from)"
               r"\s+(?:an?\s+)?(?:" + _CONDITIONS + r"|" + _SPECIAL + r")\b", re.IGNORECASE),
    re.compile(r"\b(?:i|we)\s+(?:came out|am coming out|identify as)\b", re.IGNORECASE),
    re.compile(r"\b" + _PERSON + r"\s+(?:is|are|was)\s+(?:an?\s+)?(?:" + _SPECIAL + r")\b", re.IGNORECASE),
)


def is_disclosure(text: str) -> bool:
    """A person telling something special-category (health, sexuality, religion, ethnicity) about
    themselves or someone close: "I am gay", "my HIV", "my son is autistic". A topic is not a
    disclosure: "mental health services", "more support for disabled people"."""
    return any(p.search(text) for p in _DISCLOSURES)


def without_disclosures(text: str) -> str:
    """The text with every sentence holding a disclosure taken out."""
    sentences = re.split(r"(?<=[.!?;])\s+|\n+", text)
    return " ".join(s for s in sentences if not is_disclosure(s))


_PROFANE = re.compile(
    r"\b(?:fuck\w*|f\*+k\w*|shit\w*|shite|crap|crappy|bollocks|bastard\w*|arse|arses|arsehole\w*|piss|pissed|pissing|wank\w*|twat\w*"
    r"|cunt\w*|dicks?|dickhead\w*|pricks?|bitch\w*|bloody|damn\w*|sod|sods|tosser\w*|bugger\w*)\b",
    re.IGNORECASE,
)


def is_profane(text: str) -> bool:
    return bool(_PROFANE.search(text))


_TAG = re.compile(r"\[(?:email|NHS number|NI number|date of birth|address|postcode|phone|name)\]")


def has_tag(text: str) -> bool:
    """Holds a scrubbing tag: such a phrase is never a label or keyword."""
    return bool(_TAG.search(text))
