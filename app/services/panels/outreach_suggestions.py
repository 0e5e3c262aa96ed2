"""Which registered organisations could reach a group the pool is short of.

A plain, explainable match, not a model: the words of the group (the answer, or the question
when the answer is a bare "Yes"; age bands read as young or older people; a few related words,
such as carers for care and women for female) against the words of each organisation's "speaks
for" (counted twice), name and description, plus its type where the type itself reaches them
(tenants' associations reach renters; voluntary groups, council services and providers reach
service users). Each suggestion says which words matched, so the officer can judge it.
"""

import re
from dataclasses import dataclass

from app.models.organisation import Organisation, OrganisationType

MAX_SUGGESTIONS = 3
# Answers that say nothing about who someone is: the question says it instead.
BARE_ANSWERS = {"yes", "no", "neither", "other", "none", "prefer not to say", "don't know"}
STOP_WORDS = {
    "the", "and", "for", "with", "does", "someone", "who", "what", "which", "have", "any", "more", "other",
    "from", "that", "this", "than", "use", "are", "not", "yes", "prefer", "say", "your", "you", "our",
    "over", "under", "people", "borough", "their", "they", "lasting", "expected", "reduce", "ability",
    "carry", "out", "day", "activitie", "month", "live", "group", "own", "one", "all", "them", "council",
    "service",
}
YOUNG = {"young", "youth", "student", "school", "college", "university"}
OLDER = {"older", "elderly", "pensioner", "retired", "retirement"}
RELATED = {
    "care": {"carer"}, "carer": {"care"},
    "female": {"women", "woman", "mother", "girl"},
    "woman": {"women", "female"}, "women": {"woman", "female"},
    "male": {"men", "man", "father"},
    "black": {"african", "caribbean", "minority", "ethnic"}, "asian": {"minority", "ethnic"},
    "mixed": {"minority", "ethnic"}, "ethnic": {"minority", "bame"},
    "disability": {"disabled", "deaf", "blind"}, "disabled": {"disability", "deaf", "blind"},
    "rented": {"tenant", "renter"}, "tenant": {"rented", "renter"},
}
SERVICE_TYPES = {OrganisationType.VOLUNTARY, OrganisationType.COUNCIL_SERVICE,
                 OrganisationType.PRIVATE_PROVIDER}


@dataclass(frozen=True)
class Suggestion:
    organisation: Organisation
    matched: tuple[str, ...]  # the words that matched, for the officer to judge
    by_type: bool  # its type reaches these people
    score: int


def _stem(word: str) -> str:
    word = word.removesuffix("'s").rstrip("'’")
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        return word[:-1]
    return word


def words(text: str) -> set[str]:
    found = {_stem(w) for w in re.findall(r"[a-z][a-z'’]+", text.lower())}
    return {w for w in found if len(w) >= 3 and w not in STOP_WORDS}


def reach_words(question: str, answer: str) -> set[str]:
    """The words that describe the people who gave `answer` to `question`."""
    text = question if answer.strip().lower() in BARE_ANSWERS else answer
    found = words(text)
    numbers = [int(n) for n in re.findall(r"\d+", answer)]
    if numbers and max(numbers) <= 29:
        found |= YOUNG
    elif numbers and min(numbers) >= 60:
        found |= OLDER
    for word in list(found):
        found |= RELATED.get(word, set())
    return found


def _type_reaches(organisation: Organisation, reach: set[str], service_user: bool) -> bool:
    if organisation.type == OrganisationType.TENANTS:
        return bool(reach & {"tenant", "rented", "renter"})
    return service_user and organisation.type in SERVICE_TYPES


def suggest(organisations: list[Organisation], *, question: str, answer: str, service_user: bool = False,
            council_name: str = "") -> list[Suggestion]:
    """At most MAX_SUGGESTIONS organisations that could reach these people, best first. The
    council's own name (in many organisations' names, and in wards) says nothing about who."""
    reach = reach_words(question, answer) - words(council_name)
    found = []
    for organisation in organisations:
        spoken_for = words(organisation.speaks_for) & reach
        described = words(f"{organisation.name} {organisation.description}") & reach
        by_type = _type_reaches(organisation, reach, service_user)
        score = 2 * len(spoken_for) + len(described - spoken_for)
        if score == 0 and not (by_type and organisation.type == OrganisationType.TENANTS):
            continue  # a type alone only suggests tenants' associations, for renters
        found.append(Suggestion(organisation, tuple(sorted(spoken_for | described)), by_type,
                                score + (2 if by_type else 0)))
    found.sort(key=lambda s: (-s.score, s.organisation.name))
    return found[:MAX_SUGGESTIONS]
