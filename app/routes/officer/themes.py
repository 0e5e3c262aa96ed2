"""Officers read and curate a question's themes; analysis runs start here and report progress."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import DbSession, SignedIn, Staff
from app.downloads import download_headers
from app.errors import AppError, InvalidInput, NotFound
from app.i18n import _
from app.models.analysis import Bucket, RunStatus
from app.models.consultation import Consultation, Question
from app.services import themes
from app.services.reviews import access as review_access
from app.services.themes import coding
from app.services.themes import runs as analysis_runs
from app.services.themes import summary as themes_summary
from app.templating import render, render_form

router = APIRouter(prefix="/officer")


def _question_for(db, user, question_id: int) -> tuple[Question, Consultation]:
    question = db.get(Question, question_id)
    if question is None:
        raise NotFound()
    consultation = db.get(Consultation, question.consultation_id)
    review_access.readable_consultation(db, user, consultation.id)
    return question, consultation


def _theme_for(db, user, theme_id: int):
    theme = themes.get_theme(db, theme_id)
    question, consultation = _question_for(db, user, theme.question_id)
    return theme, question, consultation


@router.get("/questions/{question_id}/themes")
def themes_page(request: Request, db: DbSession, user: SignedIn, question_id: int):
    question, consultation = _question_for(db, user, question_id)
    summary = themes_summary.summarise(db, question)
    return render(request, "officer/themes/page.html", {
        "question": question, "consultation": consultation, "summary": summary,
        "run": analysis_runs.active_run(db, question.id),
        "runs": analysis_runs.runs_for_question(db, question.id)[:10],
        "evidence": themes_summary.evidence_status(db, question),
        "can_curate": user.is_staff,
    })


@router.post("/questions/{question_id}/forum-evidence")
def forum_evidence(db: DbSession, user: Staff, question_id: int,
                   include: Annotated[str, Form(max_length=3)] = ""):
    question = _question_for(db, user, question_id)[0]
    themes.set_forum_evidence(db, question, include == "yes", user)
    return RedirectResponse(f"/officer/questions/{question_id}/themes", status_code=303)


@router.post("/questions/{question_id}/analysis-runs")
def start_run(request: Request, db: DbSession, user: Staff, question_id: int):
    question = _question_for(db, user, question_id)[0]
    try:
        analysis_runs.start_run(db, question, user)
    except AppError as error:
        return render(request, "officer/themes/_problem.html", {"message": error.message,
                      "question": question}, status_code=error.status_code)
    return RedirectResponse(f"/officer/questions/{question_id}/themes", status_code=303)


@router.get("/analysis-runs/{run_id}/progress")
def run_progress(request: Request, db: DbSession, user: SignedIn, run_id: int):
    run = analysis_runs.get_run(db, run_id)
    _question_for(db, user, run.question_id)
    headers = {}
    if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED) and request.headers.get("hx-request"):
        headers["HX-Refresh"] = "true"
    return render(request, "officer/themes/_progress.html", {"run": run}, headers=headers)


@router.get("/themes/{theme_id}")
def theme_page(request: Request, db: DbSession, user: SignedIn, theme_id: int, q: str = "", page: int = 1):
    context = _theme_context(db, user, theme_id, search=q[:200], page=page)
    return render_form(request, "officer/themes/theme.html", context, fragment="officer/themes/_answers.html")


def _theme_context(db, user, theme_id: int, *, search: str = "", page: int = 1) -> dict:
    theme, question, consultation = _theme_for(db, user, theme_id)
    return {
        "theme": theme, "question": question, "consultation": consultation,
        "answers": themes.answers_in(db, question, theme_id=theme.id, search=search, page=page),
        "q": search, "others": [t for t in themes.live_themes(db, question.id) if t.id != theme.id],
        "subthemes": themes.sub_themes(db, question.id).get(theme.id, []),
        "can_curate": user.is_staff,
    }


@router.get("/questions/{question_id}/buckets/{bucket}")
def bucket_page(request: Request, db: DbSession, user: SignedIn, question_id: int, bucket: str,
                q: str = "", page: int = 1, language: str = "", other_than: str = ""):
    """A bucket's answers; in the other-languages bucket `language=Welsh` lists the Welsh answers
    alone (for officers to read and code) and `other_than=Welsh` the rest."""
    question, consultation = _question_for(db, user, question_id)
    if bucket not in (Bucket.OTHER.value, Bucket.NO_COMMENT.value, Bucket.CAMPAIGN.value,
                      Bucket.BLANK.value, Bucket.OTHER_LANGUAGE.value):
        raise NotFound()
    if bucket != Bucket.OTHER_LANGUAGE.value:
        language = other_than = ""
    filters = {"language": language[:40], "other_than": other_than[:40]}
    answers = themes.answers_in(db, question, bucket=Bucket(bucket), search=q[:200], page=page, **filters)
    return render(request, "officer/themes/bucket.html", {
        "bucket": Bucket(bucket), "question": question, "consultation": consultation,
        "answers": answers, "q": q[:200], "others": themes.live_themes(db, question.id),
        "can_curate": user.is_staff, "theme": None, "filters": {k: v for k, v in filters.items() if v},
        "coding_frame": coding.frame_for(db, question.id) if question.kind.is_text else None,
    }, fragment="officer/themes/_answers.html")


def _back_to_theme(theme_id: int) -> RedirectResponse:
    return RedirectResponse(f"/officer/themes/{theme_id}", status_code=303)


@router.post("/themes/{theme_id}/rename")
def rename(request: Request, db: DbSession, user: Staff, theme_id: int,
           label: Annotated[str, Form(max_length=400)] = ""):
    theme = _theme_for(db, user, theme_id)[0]
    try:
        themes.rename(db, theme, label, user)
    except InvalidInput as error:
        return _theme_with_errors(request, db, user, theme_id, error.errors, {"label": label})
    return _back_to_theme(theme_id)


@router.post("/themes/{theme_id}/approve")
def approve(db: DbSession, user: Staff, theme_id: int):
    theme = _theme_for(db, user, theme_id)[0]
    themes.approve(db, theme, user)
    return _back_to_theme(theme_id)


@router.post("/themes/{theme_id}/merge")
def merge(request: Request, db: DbSession, user: Staff, theme_id: int,
          into: Annotated[str, Form(max_length=20)] = ""):
    theme = _theme_for(db, user, theme_id)[0]
    if not into.isdigit():
        errors = {"into": _("Choose a theme to merge into")}
        return _theme_with_errors(request, db, user, theme_id, errors, {})
    keep = _theme_for(db, user, int(into))[0]
    try:
        themes.merge(db, keep, theme, user)
    except InvalidInput as error:
        return _theme_with_errors(request, db, user, theme_id, error.errors, {})
    return _back_to_theme(keep.id)


@router.post("/themes/{theme_id}/split")
def split(db: DbSession, user: Staff, theme_id: int):
    theme, question = _theme_for(db, user, theme_id)[:2]
    themes.request_split(db, theme, user)
    return RedirectResponse(f"/officer/questions/{question.id}/themes?split=requested", status_code=303)


@router.post("/questions/{question_id}/answers/{answer_id}/move")
def move_answer(request: Request, db: DbSession, user: Staff, question_id: int, answer_id: int,
                target: Annotated[str, Form(max_length=20)] = "",
                back: Annotated[str, Form(max_length=200)] = ""):
    _question_for(db, user, question_id)
    themes.move_answer(db, answer_id, question_id, target, user)
    return _moved(request, question_id, back)


@router.post("/questions/{question_id}/evidence/{source}/{source_id}/move")
def move_evidence(request: Request, db: DbSession, user: Staff, question_id: int, source: str, source_id: int,
                  target: Annotated[str, Form(max_length=20)] = "",
                  back: Annotated[str, Form(max_length=200)] = ""):
    _question_for(db, user, question_id)
    if source not in ("post", "meeting", "submission"):
        raise NotFound()
    themes.move_text(db, question_id, source, source_id, target, user)
    return _moved(request, question_id, back)


def _moved(request: Request, question_id: int, back: str) -> Response:
    if request.headers.get("hx-request"):
        moved = _("Moved.")  # outside the f-string, where the catalogue's extractor finds it
        return Response(status_code=200, content=f'<p class="hint" role="status">{moved}</p>',
                        media_type="text/html")
    destination = back if back.startswith("/officer/") else f"/officer/questions/{question_id}/themes"
    return RedirectResponse(destination, status_code=303)


def _theme_with_errors(request, db, user, theme_id, errors, values):
    return render_form(request, "officer/themes/theme.html", _theme_context(db, user, theme_id),
                       errors=errors, values=values, status_code=422)


@router.get("/questions/{question_id}/themes.csv")
def export_csv(db: DbSession, user: SignedIn, question_id: int):
    question = _question_for(db, user, question_id)[0]
    return Response(themes_summary.themes_csv(db, question), media_type="text/csv; charset=utf-8",
                    headers=download_headers(f"question-{question.id}-themes.csv"))


@router.get("/questions/{question_id}/themes.json")
def export_json(db: DbSession, user: SignedIn, question_id: int):
    question = _question_for(db, user, question_id)[0]
    return Response(themes_summary.themes_json(db, question), media_type="application/json",
                    headers=download_headers(f"question-{question.id}-themes.json"))
