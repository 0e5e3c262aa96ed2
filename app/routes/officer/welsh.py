"""Officers write the Welsh version of a consultation, a petition's response, a review or a panel's
sign-up page (issue 28). Each subject is found (and its access checked) once, then shares the page."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, Staff
from app.errors import InvalidInput
from app.models.bilingual import Bilingual
from app.services import consultations, panels, petitions, welsh_versions
from app.services.reviews import access as review_access
from app.templating import render_form

router = APIRouter(prefix="/officer")
MAX_FIELDS = 2_000


@dataclass(frozen=True)
class _Subject:
    record: Bilingual
    title: str
    texts: list[welsh_versions.WelshText]
    base: str  # the subject's own officer page

    @property
    def action(self) -> str:
        return f"{self.base}/welsh"


def _consultation(db, user, consultation_id: int) -> _Subject:
    consultation = consultations.get_consultation(db, consultation_id)
    return _Subject(consultation, consultation.title, welsh_versions.consultation_texts(db, consultation),
                    f"/officer/consultations/{consultation.id}")


def _petition(db, user, petition_id: int) -> _Subject:
    petition = petitions.get_petition(db, petition_id)
    return _Subject(petition, petition.title, welsh_versions.petition_texts(petition),
                    f"/officer/petitions/{petition.id}")


def _review(db, user, review_id: int) -> _Subject:
    review = review_access.readable_review(db, user, review_id)
    return _Subject(review, review.title, welsh_versions.review_texts(db, review),
                    f"/officer/reviews/{review.id}")


def _panel(db, user, panel_id: int) -> _Subject:
    panel = panels.get_panel(db, panel_id)
    return _Subject(panel, panel.name, welsh_versions.panel_texts(db, panel), f"/officer/panels/{panel.id}")


def _page(request, subject: _Subject, **form):
    return render_form(request, "officer/welsh/edit.html", {
        "subject_title": subject.title, "texts": subject.texts, "back_url": subject.base,
        "action_url": subject.action,
    }, **form)


async def _save(request, db, user, subject: _Subject):
    form = {key: value for key, value in (await request.form(max_fields=MAX_FIELDS)).items()
            if isinstance(value, str)}
    try:
        welsh_versions.save(db, subject.texts, form, actor_id=user.id, subject=subject.record)
    except InvalidInput as error:
        return _page(request, subject, errors=error.errors, values=form)
    return RedirectResponse(f"{subject.action}?saved=1", status_code=303)


@router.get("/consultations/{consultation_id:int}/welsh")
def consultation_welsh(request: Request, db: DbSession, user: Staff, consultation_id: int):
    return _page(request, _consultation(db, user, consultation_id))


@router.post("/consultations/{consultation_id:int}/welsh")
async def save_consultation_welsh(request: Request, db: DbSession, user: Staff, consultation_id: int):
    return await _save(request, db, user, _consultation(db, user, consultation_id))


@router.get("/petitions/{petition_id:int}/welsh")
def petition_welsh(request: Request, db: DbSession, user: Staff, petition_id: int):
    return _page(request, _petition(db, user, petition_id))


@router.post("/petitions/{petition_id:int}/welsh")
async def save_petition_welsh(request: Request, db: DbSession, user: Staff, petition_id: int):
    return await _save(request, db, user, _petition(db, user, petition_id))


@router.get("/reviews/{review_id:int}/welsh")
def review_welsh(request: Request, db: DbSession, user: Staff, review_id: int):
    return _page(request, _review(db, user, review_id))


@router.post("/reviews/{review_id:int}/welsh")
async def save_review_welsh(request: Request, db: DbSession, user: Staff, review_id: int):
    return await _save(request, db, user, _review(db, user, review_id))


@router.get("/panels/{panel_id:int}/welsh")
def panel_welsh(request: Request, db: DbSession, user: Staff, panel_id: int):
    return _page(request, _panel(db, user, panel_id))


@router.post("/panels/{panel_id:int}/welsh")
async def save_panel_welsh(request: Request, db: DbSession, user: Staff, panel_id: int):
    return await _save(request, db, user, _panel(db, user, panel_id))
