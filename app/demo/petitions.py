"""Demo petitions on the home-care review, one in each stage residents see.

The texts are written the way residents write petitions; signers are generated ("Resident 123",
addresses on example.org), spread over the borough's wards and over the weeks a petition is open.
"""

import random
from datetime import timedelta

from sqlalchemy import insert, select

from app.config import get_settings
from app.models.base import utcnow
from app.models.petition import PetitionSignature, PetitionState, RejectionCode
from app.services import petitions
from app.services.petitions import moderation as petitions_moderation
from app.services.petitions.signing import Signer, start_petition
from app.services.petitions.thresholds import check_thresholds
from app.tokens import new_token, token_hash

ORDER = 30
WARDS = ["Northgate", "Riverside Central", "St Mary's", "Eastfields", "Westbrook", "Old Town"]
WARD_WEIGHTS = [1.4, 1.0, 1.0, 0.7, 1.0, 1.3]
POSTCODE_DISTRICTS = ["RV1", "RV2", "RV3", "RV4", "RV7"]

KEEP_IN_HOUSE = {
    "title": "Keep Riverside's in-house home-care service",
    "action": (
        "Keep home care for older and disabled people run by the council's own team, and do not "
        "hand its visits over to outside providers when the review ends."
    ),
    "background": (
        "My mum has had carers from the council team four times a day since her stroke. It is "
        "the same few faces every week. They know she needs her tablets with food and they stay "
        "for the whole visit. Friends whose parents moved to an agency get someone different "
        "nearly every time, and visits that should be half an hour are over in fifteen minutes.\n\n"
        "The review is asking whether the in-house service should carry on. We think it should, "
        "and that the council should weigh up what it is worth to see the same carer before it "
        "decides on cost alone."
    ),
}
TRAVEL_TIME = {
    "title": "Pay home-care workers for their travel time between visits",
    "action": (
        "Make sure every home-care worker on a council contract is paid for the time they spend "
        "travelling between visits, at no less than the Real Living Wage."
    ),
    "background": (
        "Care workers at the agencies are only paid for the minutes they are inside someone's "
        "home. The time on the bus between visits is unpaid, so over a shift a lot of them earn "
        "less than the minimum wage. People leave the job because of it, and when a carer leaves, "
        "the person they looked after loses someone they trusted."
    ),
}
MISSED_VISITS = {
    "title": "Publish missed and late home-care visits every month",
    "action": (
        "Publish every month how many home-care visits in Riverside were missed, late or cut "
        "short, for the council's own team and for each agency it pays."
    ),
    "background": (
        "Twice last winter nobody came to get my neighbour up in the morning, and it took days to "
        "find out why. If the council already keeps these figures it should share them, so "
        "families can see whether things are getting better or worse."
    ),
}
RESPONSE = (
    "Thank you to everyone who signed. From January the council will publish a monthly report on "
    "its home-care pages showing, for the in-house service and for each contracted provider, the "
    "number of planned visits, visits missed, visits more than 30 minutes late and visits shorter "
    "than planned. The first report will cover October to December.\n\n"
    "The same figures will be part of the evidence for the Best Value review of home care, and the "
    "review team will report on them when it publishes its findings."
)
DISCHARGE_WARD = {
    "title": "Stop the hospital closing the discharge lounge at Riverside General",
    "action": "Stop the closure of the discharge lounge at Riverside General Hospital.",
    "background": (
        "Older people are being sent home in taxis late at night before their care is arranged. "
        "The lounge was somewhere they could wait safely until someone came."
    ),
}
NAMED_CONTACT = {
    "title": "Give unpaid carers a named contact in the home-care team",
    "action": (
        "Give every unpaid carer of someone who gets home care a named person in the home-care "
        "team they can phone when visits change."
    ),
    "background": (
        "I look after my husband, with carers coming in twice a day. When a visit is moved I "
        "usually only find out when nobody turns up. One person to ring, who knows us, would save "
        "a lot of worry for people like me."
    ),
}


def load(db, demo) -> None:
    rng = random.Random(30)  # noqa: S311 - repeatable demo data, not security
    officer = demo.users["officer@riverside.example"]
    base_url = get_settings().base_url
    settings = petitions.current_settings(db)
    now = utcnow()
    numbers = iter(range(1, 1_000_000))

    def start(text, creator_initials, creator_number):
        petition = start_petition(
            db,
            title=text["title"],
            action=text["action"],
            background=text["background"],
            signer=_signer(creator_initials, creator_number),
            ip=None,
            settings=settings,
            base_url=base_url,
            review_id=demo.review.id,
        )
        creator = db.scalar(select(PetitionSignature).where(PetitionSignature.petition_id == petition.id))
        return petition, creator

    def published(text, initials, days_open, confirmed, pending, reached_days_ago=0):
        opened = now - timedelta(days=days_open)
        petition, creator = start(text, initials, next(numbers))
        creator.validated_at = opened - timedelta(days=6)
        petition.state, petition.validated_at = PetitionState.SPONSORED, opened - timedelta(days=6)
        petition.sponsored_at = opened - timedelta(days=3)
        _signatures(db, rng, petition.id, numbers, confirmed, opened - timedelta(days=6), now, True)
        petitions_moderation.publish(db, petition, officer, base_url=base_url, now=opened)
        _signatures(db, rng, petition.id, numbers, pending, now - timedelta(days=2), now, False)
        db.flush()
        if reached_days_ago:
            check_thresholds(db, petition.id, base_url=base_url, now=now - timedelta(days=reached_days_ago))
        return petition

    keep = published(KEEP_IN_HOUSE, "M. O.", days_open=24, confirmed=340, pending=38)
    travel = published(TRAVEL_TIME, "D. S.", days_open=61, confirmed=1_620, pending=21, reached_days_ago=6)
    missed = published(MISSED_VISITS, "A. B.", days_open=97, confirmed=1_710, pending=12, reached_days_ago=40)
    petitions_moderation.respond(db, missed, officer, text=RESPONSE, base_url=base_url,
                                 now=now - timedelta(days=12))

    rejected, creator = start(DISCHARGE_WARD, "K. L.", next(numbers))
    creator.validated_at = now - timedelta(days=20)
    rejected.state = PetitionState.SPONSORED
    petitions_moderation.reject(db, rejected, officer, code=RejectionCode.NOT_COUNCIL, text="",
                                base_url=base_url, now=now - timedelta(days=15))

    gathering, creator = start(NAMED_CONTACT, "P. N.", next(numbers))
    creator.validated_at = gathering.validated_at = now - timedelta(days=2)
    gathering.state = PetitionState.VALIDATED
    _signatures(db, rng, gathering.id, numbers, 2, now - timedelta(days=2), now, True)
    db.flush()

    demo.notes.append(
        f"Petitions on the home-care review: /petitions/{keep.id} (open, signable), "
        f"/petitions/{travel.id} (awaiting a council response), /petitions/{missed.id} (responded), "
        f"/petitions?status=rejected; one more gathering supporters at "
        f"/petitions/support/{gathering.support_token}."
    )


def _signer(initials: str, number: int) -> Signer:
    email = f"resident{number}@example.org"
    return Signer(name=initials, email=email, normalised_email=email, domain="example.org",
                  postcode="", ward="Old Town", notify=True)


def _signatures(db, rng, petition_id, numbers, how_many, start, end, confirmed) -> None:
    """Generated signers ("Resident 123"), over the wards and the time between start and end."""
    span = (end - start).total_seconds()
    rows = []
    for _ in range(how_many):
        number = next(numbers)
        created = start + timedelta(seconds=span * rng.random() ** 1.6)  # most sign early on
        ward, postcode = "", ""
        if rng.random() < 0.4:
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            district = rng.choice(POSTCODE_DISTRICTS)
            postcode = f"{district}{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        else:
            ward = rng.choices(WARDS, weights=WARD_WEIGHTS)[0]
        email = f"resident{number}@example.org"
        rows.append({
            "petition_id": petition_id,
            "name": f"Resident {number}",
            "email": email,
            "normalised_email": email,
            "email_domain": "example.org",
            "postcode": postcode,
            "ward": ward,
            "ip_address": f"198.51.100.{rng.randint(1, 254)}",
            "notify_by_email": rng.random() < 0.6,
            "is_creator": False,
            "token_hash": None if confirmed else token_hash(new_token()),
            "token_expires_at": None if confirmed else created + timedelta(hours=72),
            "validated_at": min(end, created + timedelta(minutes=rng.randint(1, 240))) if confirmed else None,
            "created_at": created,
        })
    if rows:
        db.execute(insert(PetitionSignature), rows)
