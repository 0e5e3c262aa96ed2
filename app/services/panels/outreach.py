"""Outreach analysis: what recruiting more of each group the pool is short of would do to the draw.

The LP work (panel_draw/outreach.py: the relaxation's LEXIMIN after 5, 10, 20 and 50 recruits of
each short group) runs as a worker job, never in a request; it writes its progress to its row in
short transactions of its own, and its result once, as plain numbers (no personal data). Pages read
them back as `EffectView`s: how many more volunteers would raise the lowest chance anyone has, and
by how much, or plainly that none would (decision 0102: the lowest chance often belongs to
over-represented people whose own maximum caps it).
"""

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import panel_draw
from app.db import Database
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_, _
from app.job_queue import enqueue_after_commit
from app.models.base import utcnow
from app.models.panel import DrawStatus, Panel, PanelOutreachAnalysis
from app.services import audit
from app.services.panels import pool_size
from app.services.panels.draws import MAX_PANEL_SIZE, pool_volunteers, quotas_for
from panel_draw.outreach import DEFAULT_STEPS, outreach_effects

logger = logging.getLogger(__name__)
JOB = "panel_outreach.run_outreach_analysis"
PROGRESS_INTERVAL_SECONDS = 0.5
# A change in the lowest chance smaller than this is solver noise, not a raise (the precision).
RAISE_THRESHOLD = 1e-4
INFEASIBLE = N_("The targets cannot all be met, so there is nothing to analyse. Change the targets first.")
POOL_PROBLEM = N_("The pool cannot make a panel that meets the targets: check the targets and the panel "
                  "size.")
NO_SOLVER = N_("The solver is not available on this server. Tell the Chorus administrator.")
UNEXPECTED = N_("The analysis stopped unexpectedly. Start it again; if it fails again, tell the Chorus "
                "administrator.")
STALE = N_("The analysis did not finish in time (the worker may have restarted). Start it again.")
# Far above the 10,000-volunteer pool's 11 s on a loaded host (decision 0108).
STALE_AFTER = timedelta(minutes=30)


def _check_size(panel: Panel, size_raw: str, pool: int) -> int:
    errors = {}
    size = int(size_raw) if size_raw.strip().isdigit() else None
    if not any(category.has_targets for category in panel.categories):
        errors["size"] = _("Set targets for at least one question before analysing outreach")
    elif pool == 0:
        errors["size"] = _("The pool is empty: recruit or import volunteers first")
    elif size is None or size < 1:
        errors["size"] = _("Enter the panel size as a whole number, like 40")
    elif size > min(pool, MAX_PANEL_SIZE):
        errors["size"] = _("The panel cannot be larger than the pool ({pool} volunteers)").format(
            pool=f"{pool:,}")
    if errors:
        raise InvalidInput(errors)
    return size


def request_analysis(db: Session, panel: Panel, *, size: str, actor_id: int | None) -> PanelOutreachAnalysis:
    """Record the request and queue the job once this is committed (one at a time per panel)."""
    size_value = _check_size(panel, size, pool_size(db, panel.id))
    if db.scalar(select(PanelOutreachAnalysis.id).where(
            PanelOutreachAnalysis.panel_id == panel.id,
            PanelOutreachAnalysis.status.in_((DrawStatus.QUEUED, DrawStatus.RUNNING)))):
        raise Conflict(_("An outreach analysis is already running for this panel: wait for it to finish."))
    analysis = PanelOutreachAnalysis(
        panel_id=panel.id, size=size_value, status=DrawStatus.QUEUED, requested_by_id=actor_id,
        quotas=[vars(q) for q in quotas_for(panel, size_value)])
    db.add(analysis)
    db.flush()
    audit.record(db, actor_id=actor_id, action="panel.outreach_analysis_request",
                 object_type="panel_outreach_analysis", object_id=analysis.id, panel_id=panel.id,
                 size=size_value)
    enqueue_after_commit(db, JOB, analysis.id)
    return analysis


class _Progress:
    """Writes done/total to the analysis row in short transactions of its own, at most twice a second."""

    def __init__(self, database: Database, analysis_id: int):
        self.database, self.analysis_id, self._last = database, analysis_id, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_SECONDS and done < total:
            return
        self._last = now
        with self.database.transaction() as db:
            db.execute(update(PanelOutreachAnalysis).where(PanelOutreachAnalysis.id == self.analysis_id)
                       .values(progress_done=done, progress_total=total))


def perform_analysis(database: Database, analysis_id: int) -> None:
    """The job: read the pool, solve outside any transaction, then store the result."""
    with database.transaction() as db:
        analysis = db.get(PanelOutreachAnalysis, analysis_id)
        if analysis is None or not analysis.is_queued:
            return
        analysis.status, analysis.started_at = DrawStatus.RUNNING, utcnow()
        quotas = tuple(panel_draw.Quota(**q) for q in analysis.quotas)
        volunteers = pool_volunteers(db, analysis.panel_id, quotas, households=False)
        analysis.pool_size, size = len(volunteers), analysis.size
    outcome = _solve(volunteers, quotas, size, _Progress(database, analysis_id))
    with database.transaction() as db:
        _record(db, db.get(PanelOutreachAnalysis, analysis_id), outcome)
    if isinstance(outcome, Exception):
        raise outcome


def _solve(volunteers, quotas, size: int, progress) -> "list | str | Exception":
    """The effects, or a message for the officer, or an unexpected error (recorded, then raised)."""
    try:
        return outreach_effects(volunteers, quotas, size, steps=DEFAULT_STEPS, progress=progress)
    except panel_draw.InfeasibleQuotasError:
        return INFEASIBLE
    except panel_draw.PoolError:
        return POOL_PROBLEM
    except panel_draw.SolverUnavailableError:
        return NO_SOLVER
    except Exception as error:  # the job must record it, then fail loudly
        return error


def _record(db: Session, analysis: PanelOutreachAnalysis, outcome) -> None:
    analysis.finished_at = utcnow()
    if isinstance(outcome, str | Exception):
        analysis.status = DrawStatus.FAILED
        analysis.message = outcome if isinstance(outcome, str) else UNEXPECTED
        if isinstance(outcome, Exception):
            logger.error("outreach analysis %s failed: %r", analysis.id, outcome)
        return
    analysis.status, analysis.effects = DrawStatus.DONE, [asdict(effect) for effect in outcome]
    analysis.progress_done = analysis.progress_total = max(analysis.progress_total, 1)
    audit.record(db, actor_id=None, action="panel.outreach_analysis_done",
                 object_type="panel_outreach_analysis", object_id=analysis.id, short_groups=len(outcome))


def fail_stale_analyses(db: Session) -> int:
    """Analyses queued or running for longer than STALE_AFTER failed (their job never ran or its
    worker stopped), so the officer can start another. Returns how many."""
    stale = list(db.scalars(select(PanelOutreachAnalysis).where(
        PanelOutreachAnalysis.status.in_((DrawStatus.QUEUED, DrawStatus.RUNNING)),
        PanelOutreachAnalysis.created_at < utcnow() - STALE_AFTER)))
    for analysis in stale:
        analysis.status, analysis.message, analysis.finished_at = DrawStatus.FAILED, STALE, utcnow()
        audit.record(db, actor_id=None, action="panel.outreach_analysis_stale",
                     object_type="panel_outreach_analysis", object_id=analysis.id)
    return len(stale)


def get_analysis(db: Session, panel_id: int, analysis_id: int) -> PanelOutreachAnalysis:
    analysis = db.scalar(select(PanelOutreachAnalysis).where(PanelOutreachAnalysis.id == analysis_id,
                                                             PanelOutreachAnalysis.panel_id == panel_id))
    if analysis is None:
        raise NotFound()
    return analysis


def latest_analysis(db: Session, panel_id: int) -> PanelOutreachAnalysis | None:
    return db.scalars(select(PanelOutreachAnalysis).where(PanelOutreachAnalysis.panel_id == panel_id)
                      .order_by(PanelOutreachAnalysis.id.desc()).limit(1)).first()


@dataclass(frozen=True)
class StepView:
    added: int
    minimum: float  # the lowest chance anyone in the pool has
    feature_lowest: float
    feature_average: float
    gain: float  # minimum - the minimum now


@dataclass
class EffectView:
    category: str  # the question's key
    label: str  # the question as the officer wrote it
    feature: str
    in_pool: int
    pool_share: float
    seat_share: float
    now: StepView
    steps: list[StepView]
    suggestions: list = field(default_factory=list)  # outreach_suggestions.Suggestion

    @property
    def first_raise(self) -> StepView | None:
        """The fewest recruits that raise the lowest chance anyone has."""
        return next((step for step in self.steps if step.gain > RAISE_THRESHOLD), None)

    @property
    def best(self) -> StepView | None:
        """The largest raise among the steps (the fewest recruits for it), if any raises it."""
        raising = [step for step in self.steps if step.gain > RAISE_THRESHOLD]
        return max(raising, key=lambda step: (round(step.gain, 9), -step.added)) if raising else None

    @property
    def key(self) -> str:
        return f"{self.category}|{self.feature}"


def _step(stored: dict, now_minimum: float) -> StepView:
    return StepView(stored["added"], stored["minimum"], stored["feature_lowest"], stored["feature_average"],
                    stored["minimum"] - now_minimum)


def effect_views(panel: Panel, analysis: PanelOutreachAnalysis) -> list[EffectView]:
    """The stored result, with each question's label; groups that raise the minimum most first."""
    labels = {category.key: category.label for category in panel.categories}
    views = []
    for stored in analysis.effects or []:
        now_minimum = stored["now"]["minimum"]
        views.append(EffectView(
            stored["category"], labels.get(stored["category"], stored["category"]), stored["feature"],
            stored["in_pool"], stored["pool_share"], stored["seat_share"], _step(stored["now"], now_minimum),
            [_step(step, now_minimum) for step in stored["steps"]]))
    return sorted(views, key=lambda v: (-(v.best.gain if v.best else 0.0), v.pool_share - v.seat_share))
