"""Officers write the Welsh version of a consultation, a petition's response or a review (issue 28)."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.auth import DbSession, Staff
from app.errors import InvalidInput
from app.services import consultations, panels, petitions, welsh_versions
from app.services.reviews import access as review_access
from app.templating import render_form

router = APIRouter(prefix="/officer")
MAX_FIELDS = 2_000


def _page(request, *, subject_title, texts, back_url, action_url, **form):
    return render_form(request, "officer/welsh/edit.html", {
        "subject_title": subject_title, "texts": texts, "back_url": back_url, "action_url": action_url,
    }, **form)


async def _save(request, db, user, subject, texts, *, subject_title, back_url, action_url):
    form = {key: value for key, value in (await request.form(max_fields=MAX_FIELDS)).items()
            if isinstance(value, str)}
    try:
        welsh_versions.save(db, texts, form, actor_id=user.id, subject=subject)
    except InvalidInput as error:
        return _page(request, subject_title=subject_title, texts=texts, back_url=back_url,
                     action_url=action_url, errors=error.errors, values=form)
    return RedirectResponse(f"{action_url}?saved=1", status_code=303)


@router.get("/consultations/{consultation_id:int}/welsh")
def consultation_welsh(request: Request, db: DbSession, user: Staff, consultation_id: int):
    consultation = consultations.get_consultation(db, consultation_id)
    base = f"/officer/consultations/{consultation.id}"
    texts = welsh_versions.consultation_texts(db, consultation)
    return _page(request, subject_title=consultation.title, texts=texts, back_url=base,
                 action_url=f"{base}/welsh")


@router.post("/consultations/{consultation_id:int}/welsh")
async def save_consultation_welsh(request: Request, db: DbSession, user: Staff, consultation_id: int):
    consultation = consultations.get_consultation(db, consultation_id)
    base = f"/officer/consultations/{consultation.id}"
    return await _save(request, db, user, consultation, welsh_versions.consultation_texts(db, consultation),
                       subject_title=consultation.title, back_url=base, action_url=f"{base}/welsh")


@router.get("/petitions/{petition_id:int}/welsh")
def petition_welsh(request: Request, db: DbSession, user: Staff, petition_id: int):
    petition = petitions.get_petition(db, petition_id)
    base = f"/officer/petitions/{petition.id}"
    return _page(request, subject_title=petition.title, texts=welsh_versions.petition_texts(petition),
                 back_url=base, action_url=f"{base}/welsh")


@router.post("/petitions/{petition_id:int}/welsh")
async def save_petition_welsh(request: Request, db: DbSession, user: Staff, petition_id: int):
    petition = petitions.get_petition(db, petition_id)
    base = f"/officer/petitions/{petition.id}"
    return await _save(request, db, user, petition, welsh_versions.petition_texts(petition),
                       subject_title=petition.title, back_url=base, action_url=f"{base}/welsh")


@router.get("/reviews/{review_id:int}/welsh")
def review_welsh(request: Request, db: DbSession, user: Staff, review_id: int):
    review = review_access.readable_review(db, user, review_id)
    base = f"/officer/reviews/{review.id}"
    return _page(request, subject_title=review.title, texts=welsh_versions.review_texts(db, review),
                 back_url=base, action_url=f"{base}/welsh")


@router.post("/reviews/{review_id:int}/welsh")
async def save_review_welsh(request: Request, db: DbSession, user: Staff, review_id: int):
    review = review_access.readable_review(db, user, review_id)
    base = f"/officer/reviews/{review.id}"
    return await _save(request, db, user, review, welsh_versions.review_texts(db, review),
                       subject_title=review.title, back_url=base, action_url=f"{base}/welsh")



@router.get("/panels/{panel_id:int}/welsh")
def panel_welsh(request: Request, db: DbSession, user: Staff, panel_id: int):
    panel = panels.get_panel(db, panel_id)
    base = f"/officer/panels/{panel.id}"
    return _page(request, subject_title=panel.name, texts=welsh_versions.panel_texts(db, panel),
                 back_url=base, action_url=f"{base}/welsh")


@router.post("/panels/{panel_id:int}/welsh")
async def save_panel_welsh(request: Request, db: DbSession, user: Staff, panel_id: int):
    panel = panels.get_panel(db, panel_id)
    base = f"/officer/panels/{panel.id}"
    return await _save(request, db, user, panel, welsh_versions.panel_texts(db, panel),
                       subject_title=panel.name, back_url=base, action_url=f"{base}/welsh")
