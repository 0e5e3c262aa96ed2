"""Demo forums: a stand-alone public forum on affordable housing run by the Riverside Tenants'
Federation, with threads and replies in people's own words (real comments from a public Polis
conversation on affordable housing, see data/ATTRIBUTION.md; every forum that shows them says so),
a members-only forum in the review run by UNISON (housing costs and keeping care staff), and a
staff-only forum where council employees post anonymously to the review team."""

import csv
from pathlib import Path

from app.config import get_settings
from app.demo.credentials import DEMO_PASSWORD
from app.models.forum import ForumVisibility
from app.models.user import Role
from app.services import accounts, forums
from app.services.forums import meetings as forums_meetings
from app.services.forums import posting as forums_posting
from app.services.forums import submissions as forums_submissions
from app.services.forums.posting import Poster
from app.services.forums.visibility import get_forum

ORDER = 40
POLIS = Path(__file__).parent / "data" / "polis_affordable_housing_sample.csv"

# Threads by Polis comment id: the first comment opens the thread, the rest reply.
PUBLIC_THREADS = [
    [57, 117, 89, 23, 164],
    [13, 126, 138, 97, 61, 72],
    [20, 142, 22, 156, 148, 16],
    [71, 12, 159, 96, 6, 79, 144],
    [1, 64, 10, 8, 149],
]
MEMBERS_THREAD = [137, 150, 134]
SOURCE = ("The posts are real comments from a 2017 public conversation on affordable housing in New "
          "Zealand (Scoop HiveMind), gathered with Polis and shared under CC BY 4.0 with attribution to "
          "The Computational Democracy Project; the names of who posted them are the demo's.")
# A meeting's notes and a union's formal submission, made of what people wrote (Polis comments).
MEETING_POINTS = [97, 57, 164, 126]
SUBMISSION_POINTS = [138, 72, 61, 149]
TENANT_MEMBERS = [("grace@tenants.example", "Grace Adeyemi"), ("liam@tenants.example", "Liam O'Connor"),
                  ("priya@tenants.example", "Priya Nair")]


def _comments() -> dict[int, str]:
    with POLIS.open(encoding="utf-8") as handle:
        return {int(row["comment-id"]): row["comment-body"].strip() for row in csv.DictReader(handle)}


def _title(text: str, limit: int = 90) -> str:
    first = text.split("\n")[0].split(". ")[0].rstrip(".")
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


def load(db, demo) -> None:
    secret = get_settings().secret_key
    comments = _comments()
    tenants = demo.organisations["Riverside Tenants' Federation"]
    union = demo.organisations["UNISON Riverside Branch"]
    carers = demo.organisations["Riverside Carers' Network"]
    in_house = demo.organisations["Riverside Home Care (in-house service)"]
    officer = demo.users["officer@riverside.example"]
    people = [demo.users["organiser@tenants.example"]] + [
        accounts.create_user(db, email=email, password=DEMO_PASSWORD, role=Role.MEMBER, display_name=name,
                             organisation_id=tenants.id) for email, name in TENANT_MEMBERS]
    for user in people[1:]:
        demo.users[user.email] = user

    public = forums.create_forum(
        db, officer, review_id=None, organisation_id=tenants.id, visibility=ForumVisibility.PUBLIC,
        title="Tenants' forum: affordable housing",
        description="Run by the Riverside Tenants' Federation: what tenants say about the cost and "
                    f"supply of housing in the borough. Not part of a review. {SOURCE}")
    public = get_forum(db, officer, public.id)
    turn = 0
    for ids in PUBLIC_THREADS:
        opener = Poster(people[turn % len(people)], secret)
        thread, _ = forums_posting.start_thread(db, opener, public, title=_title(comments[ids[0]]),
                                                body=comments[ids[0]])
        for comment_id in ids[1:]:
            turn += 1
            forums_posting.reply(db, Poster(people[turn % len(people)], secret), thread,
                                 body=comments[comment_id])

    members = forums.create_forum(
        db, officer, review_id=demo.review.id, organisation_id=union.id,
        visibility=ForumVisibility.MEMBERS_ONLY, member_organisation_ids=[union.id, carers.id],
        title="Care staff and carers (members only)",
        description="For members of UNISON Riverside Branch and the Riverside Carers' Network: what "
                    f"housing costs mean for recruiting and keeping care staff. {SOURCE}")
    members = get_forum(db, officer, members.id)
    _meeting(db, members, demo.users["organiser@unison.example"], comments, [union.id, carers.id])
    organiser = Poster(demo.users["organiser@unison.example"], secret)
    thread, _ = forums_posting.start_thread(db, organiser, members, title=_title(comments[MEMBERS_THREAD[0]]),
                                            body=comments[MEMBERS_THREAD[0]])
    for comment_id in MEMBERS_THREAD[1:]:
        forums_posting.reply(db, organiser, thread, body=comments[comment_id])

    carer = accounts.create_user(db, email="carer@homecare.example", password=DEMO_PASSWORD, role=Role.MEMBER,
                                 display_name="Sam Carer", organisation_id=in_house.id)
    demo.users[carer.email] = carer
    forums.create_forum(
        db, officer, review_id=demo.review.id, visibility=ForumVisibility.STAFF_ONLY,
        member_organisation_ids=[in_house.id], title="Staff forum: talk to the review team",
        description="For the council's own home-care staff. Posts are anonymous: Chorus does not "
                    "store who wrote them.")
    _submission(db, demo, union, comments)
    demo.notes.append(f"Forums: /forums (stand-alone public forum /forums/{public.id}); members-only "
                      "and staff-only "
                      "forums for grace@tenants.example (member), organiser@unison.example and "
                      "carer@homecare.example (anonymous staff forum).")


def _meeting(db, forum, organiser, comments, organisation_ids) -> None:
    points = "\n".join(f"- {comments[i]}" for i in MEETING_POINTS)
    forums_meetings.record_meeting(
        db, organiser, forum, held_on="2026-10-14", title="Members' meeting on housing costs and care staff",
        notes=(f"Points members raised, in their own words:\n{points}\n\n(Sample text: real comments "
               "from a public Polis conversation on affordable housing, CC BY 4.0.)"),
        organisation_ids=organisation_ids)


def _submission(db, demo, union, comments) -> None:
    organiser = demo.users["organiser@unison.example"]
    body = "\n\n".join(comments[i] for i in SUBMISSION_POINTS)
    draft = forums_submissions.draft(db, organiser, union, review_id=demo.review.id, body=body,
                                     title="UNISON Riverside Branch: housing costs and the care workforce "
                                           "(sample text: real comments from a Polis conversation on "
                                           "affordable housing, CC BY 4.0)")
    signed = forums_submissions.get_submission(db, organiser, union, draft.id)
    forums_submissions.sign_off(db, organiser, signed)
