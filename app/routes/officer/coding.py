"""Guided coding in the themes workspace: the coding frame, coding answers one at a time, the held-out
check, bulk acceptance and the CSV (decision 0101). Training runs in a worker job, never here."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import DbSession, SignedIn, Staff
from app.downloads import download_headers
from app.errors import AppError, InvalidInput, NotFound
from app.i18n import _
from app.models.coding import CodingFrame
from app.models.consultation import Consultation, Question
from app.services.reviews import access as review_access
from app.services.themes import coding, coding_results, live_themes
from app.templating import render, render_form

router = APIRouter(prefix="/officer")


def _question_for(db, user, question_id: int) -> tuple[Question, Consultation]:
    question = db.get(Question, question_id)
    if question is None or not question.kind.is_text:
        raise NotFound()
    consultation = db.get(Consultation, question.consultation_id)
    review_access.readable_consultation(db, user, consultation.id)
    return question, consultation


def _frame_for(db, user, question_id: int) -> tuple[CodingFrame, Question, Consultation]:
    question, consultation = _question_for(db, user, question_id)
    return coding.require_frame(db, question.id), question, consultation


def _home(question_id: int, note: str = "") -> RedirectResponse:
    suffix = f"?done={note}" if note else ""
    return RedirectResponse(f"/officer/questions/{question_id}/coding{suffix}", status_code=303)


@router.get("/questions/{question_id}/coding")
def frame_page(request: Request, db: DbSession, user: SignedIn, question_id: int):
    return render_form(request, "officer/coding/page.html", _page_context(request, db, user, question_id))


def _page_context(request, db, user, question_id: int) -> dict:
    question, consultation = _question_for(db, user, question_id)
    frame = coding.frame_for(db, question.id)
    context = {
        "question": question,
        "consultation": consultation,
        "frame": frame,
        "can_code": user.is_staff,
        "done": request.query_params.get("done", "")[:40],
        "themes": live_themes(db, question.id) if frame is None else [],
        "total": coding_results.total_answers(db, question.id),
    }
    if frame is not None:
        context.update(
            {
                "overview": coding_results.overview(db, frame),
                "run": coding.latest_run(db, frame),
                "active": coding.active_run(db, frame),
                "agreement": coding_results.agreement(db, frame),
                "acceptable": coding_results.acceptable_counts(db, frame),
                "train_every": coding.TRAIN_EVERY,
                "holdout_sizes": coding_results.HOLDOUT_SIZES,
            }
        )
    return context


def _page_with_errors(request, db, user, question_id: int, errors: dict, values: dict | None = None):
    return render_form(
        request,
        "officer/coding/page.html",
        _page_context(request, db, user, question_id),
        errors=errors,
        values=values,
        status_code=422,
    )


@router.post("/questions/{question_id}/coding/frame")
def start_frame(
    request: Request,
    db: DbSession,
    user: Staff,
    question_id: int,
    start: Annotated[str, Form(max_length=10)] = "",
):
    question = _question_for(db, user, question_id)[0]
    if start not in ("themes", "scratch"):
        return _page_with_errors(
            request, db, user, question_id, {"start": _("Choose how to start the coding frame")}
        )
    coding.start_frame(db, question, user, from_themes=start == "themes")
    return _home(question_id)


@router.post("/questions/{question_id}/coding/codes")
def add_code(
    request: Request,
    db: DbSession,
    user: Staff,
    question_id: int,
    name: Annotated[str, Form(max_length=400)] = "",
    description: Annotated[str, Form(max_length=4000)] = "",
):
    frame = _frame_for(db, user, question_id)[0]
    try:
        coding.add_code(db, frame, name, description, user)
    except InvalidInput as error:
        return _page_with_errors(
            request, db, user, question_id, error.errors, {"name": name, "description": description}
        )
    return _home(question_id, "added")


@router.get("/questions/{question_id}/coding/codes/{code_id}")
def code_page(request: Request, db: DbSession, user: Staff, question_id: int, code_id: int):
    frame, question, consultation = _frame_for(db, user, question_id)
    code = coding.get_code(db, frame, code_id)
    context = {"question": question, "consultation": consultation, "code": code}
    values = {"name": code.name, "description": code.description}
    return render_form(request, "officer/coding/code.html", context, values=values)


@router.post("/questions/{question_id}/coding/codes/{code_id}")
def edit_code(
    request: Request,
    db: DbSession,
    user: Staff,
    question_id: int,
    code_id: int,
    name: Annotated[str, Form(max_length=400)] = "",
    description: Annotated[str, Form(max_length=4000)] = "",
):
    frame, question, consultation = _frame_for(db, user, question_id)
    code = coding.get_code(db, frame, code_id)
    try:
        coding.edit_code(db, frame, code, name, description, user)
    except InvalidInput as error:
        context = {"question": question, "consultation": consultation, "code": code}
        values = {"name": name, "description": description}
        return render_form(request, "officer/coding/code.html", context, errors=error.errors, values=values)
    return _home(question_id, "changed")


def _code_one(
    request,
    db,
    user,
    question_id: int,
    *,
    check: bool,
    answer_id: int | None = None,
    **form,
):
    frame, question, consultation = _frame_for(db, user, question_id)
    if answer_id is not None:
        answer = coding.answer_to_code(db, frame, answer_id)
    else:
        answer = coding.next_answer(db, frame, check=check)
    overview = coding_results.overview(db, frame)
    return render_form(
        request,
        "officer/coding/answer.html",
        {
            "question": question,
            "consultation": consultation,
            "frame": frame,
            "answer": answer,
            "codes": coding.codes_of(db, frame),
            "check": check,
            "overview": overview,
            "run": coding.latest_run(db, frame),
            "until_training": max(0, coding.TRAIN_EVERY - frame.coded_since_run),
        },
        **form,
    )


@router.get("/questions/{question_id}/coding/next")
def next_answer(request: Request, db: DbSession, user: Staff, question_id: int):
    return _code_one(request, db, user, question_id, check=False)


@router.get("/questions/{question_id}/coding/answers/{answer_id}")
def one_answer(request: Request, db: DbSession, user: Staff, question_id: int, answer_id: int):
    """One answer chosen by the officer (a Welsh answer from its list, say), to code now."""
    return _code_one(request, db, user, question_id, check=False, answer_id=answer_id)


@router.get("/questions/{question_id}/coding/check")
def next_held_out(request: Request, db: DbSession, user: Staff, question_id: int):
    return _code_one(request, db, user, question_id, check=True)


@router.post("/questions/{question_id}/coding/answers/{answer_id}")
def code_answer(
    request: Request,
    db: DbSession,
    user: Staff,
    question_id: int,
    answer_id: int,
    code: Annotated[str, Form(max_length=20)] = "",
    new_code: Annotated[str, Form(max_length=400)] = "",
    action: Annotated[str, Form(max_length=10)] = "save",
    mode: Annotated[str, Form(max_length=10)] = "",
):
    frame = _frame_for(db, user, question_id)[0]
    check = mode == "check"
    if action == "skip" and not check:
        coding.skip(db, frame, answer_id, user)
    else:
        try:
            coding.code_answer(db, frame, answer_id, user, code_id=code, new_code=new_code)
        except InvalidInput as error:
            return _code_one(
                request,
                db,
                user,
                question_id,
                check=check,
                answer_id=answer_id,
                errors=error.errors,
                values={"new_code": new_code},
                status_code=422,
            )
    return RedirectResponse(
        f"/officer/questions/{question_id}/coding/{'check' if check else 'next'}", status_code=303
    )


@router.post("/questions/{question_id}/coding/unskip")
def unskip(db: DbSession, user: Staff, question_id: int):
    frame = _frame_for(db, user, question_id)[0]
    coding.unskip_all(db, frame, user)
    return RedirectResponse(f"/officer/questions/{question_id}/coding/next", status_code=303)


@router.post("/questions/{question_id}/coding/runs")
def train(request: Request, db: DbSession, user: Staff, question_id: int):
    frame = _frame_for(db, user, question_id)[0]
    try:
        coding.start_training(db, frame, user)
    except AppError as error:
        return _page_with_errors(request, db, user, question_id, {"train": error.message})
    return _home(question_id)


@router.get("/coding-runs/{run_id}/progress")
def run_progress(request: Request, db: DbSession, user: SignedIn, run_id: int, stay: int = 0):
    """The run's progress; when it ends the frame's page reloads (new counts), while the page of an
    answer being coded (`stay`) only says so: the answer is not swapped under the officer."""
    run = coding.get_run(db, run_id)
    frame = db.get(CodingFrame, run.frame_id)
    _question_for(db, user, frame.question_id)
    headers = {}
    if not stay and not run.in_progress and request.headers.get("hx-request"):
        headers["HX-Refresh"] = "true"
    return render(
        request,
        "officer/coding/_progress.html",
        {"run": run, "question_id": frame.question_id, "stay": bool(stay)},
        headers=headers,
    )


@router.post("/questions/{question_id}/coding/holdout")
def holdout(
    request: Request,
    db: DbSession,
    user: Staff,
    question_id: int,
    size: Annotated[str, Form(max_length=10)] = "",
):
    frame = _frame_for(db, user, question_id)[0]
    try:
        coding_results.sample_holdout(db, frame, int(size) if size.isdigit() else 0, user)
    except InvalidInput as error:
        return _page_with_errors(request, db, user, question_id, error.errors)
    except AppError as error:
        return _page_with_errors(request, db, user, question_id, {"size": error.message})
    return RedirectResponse(f"/officer/questions/{question_id}/coding/check", status_code=303)


@router.post("/questions/{question_id}/coding/accept")
def accept(
    request: Request,
    db: DbSession,
    user: Staff,
    question_id: int,
    threshold: Annotated[str, Form(max_length=10)] = "",
):
    frame = _frame_for(db, user, question_id)[0]
    try:
        value = float(threshold)
    except ValueError:
        value = -1.0
    try:
        count = coding_results.accept_above(db, frame, value, user)
    except InvalidInput as error:
        return _page_with_errors(request, db, user, question_id, error.errors)
    return _home(question_id, f"accepted-{count}")


@router.get("/questions/{question_id}/coding.csv")
def export_csv(db: DbSession, user: SignedIn, question_id: int):
    frame, question = _frame_for(db, user, question_id)[:2]
    return Response(
        coding_results.coding_csv(db, frame),
        media_type="text/csv; charset=utf-8",
        headers=download_headers(f"question-{question.id}-coding.csv"),
    )
