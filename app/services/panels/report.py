"""Representativeness: targets vs pool vs selected vs those who responded, per feature.

Shares are of each column's own total (the target share is the middle of min..max over the
panel size). A group is flagged as under-represented in responses when its share of
responses falls below its minimum target share by more than TOLERANCE.
"""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

import panel_draw
from app.i18n import N_
from app.models.panel import NOT_SAID, Panel, PanelDrawRecord
from app.services.panels.draws import pool_volunteers
from app.services.panels.invitations import responded_member_ids

TOLERANCE = 0.02
SERIES = (N_("Target"), N_("Pool"), N_("Selected"), N_("Responded"))  # shown through _()
SERIES_COLOURS = ("#505a5f", "#b1b4b6", "#1d70b8", "#00703c")
BAR_HEIGHT, BAR_GAP, ROW_GAP, LABEL_WIDTH, CHART_WIDTH = 16, 2, 16, 300, 640


@dataclass(frozen=True)
class Bar:
    series: str
    colour: str
    y: int
    width: float
    share: float


@dataclass
class FeatureRow:
    feature: str
    target_min: int
    target_max: int | None  # None: no upper limit
    target_share: float
    pool: int
    pool_share: float
    selected: int
    selected_share: float
    responded: int
    responded_share: float
    not_responded: int = 0
    under_represented: bool = False
    bars: list[Bar] = field(default_factory=list)
    label_y: int = 0


@dataclass
class CategoryReport:
    key: str
    label: str
    service_user: bool
    rows: list[FeatureRow]
    height: int = 0


@dataclass(frozen=True)
class Warning:
    category: str
    feature: str
    responded: int
    responded_share: float
    target_share: float
    not_responded: int


@dataclass
class Report:
    categories: list[CategoryReport]
    warnings: list[Warning]
    pool_total: int
    selected_total: int
    responded_total: int


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def representativeness(db: Session, panel: Panel, record: PanelDrawRecord) -> Report:
    """Needs `record.members` loaded."""
    quotas = tuple(panel_draw.Quota(**q) for q in record.quotas)
    features = {v.id: v.features for v in pool_volunteers(db, panel.id, quotas, households=False)}
    selected = [m for m in record.members if m.is_selected and m.pool_ref in features]
    responded_ids = responded_member_ids(db, record)
    responded = [m for m in selected if m.id in responded_ids]
    selected_counts = Counter((c, f) for m in selected for c, f in features[m.pool_ref].items())
    responded_counts = Counter((c, f) for m in responded for c, f in features[m.pool_ref].items())
    pool_counts = record.pool_counts.get("pool", {})
    pool_total = record.pool_size
    labels = {c.key: c for c in panel.categories}
    categories, warnings = [], []
    by_category: dict[str, list[panel_draw.Quota]] = {}
    for quota in quotas:
        by_category.setdefault(quota.category, []).append(quota)
    for key, category_quotas in by_category.items():
        rows = []
        for quota in category_quotas:
            pool_n = pool_counts.get(key, {}).get(quota.feature, 0)
            sel_n = selected_counts[(key, quota.feature)]
            resp_n = responded_counts[(key, quota.feature)]
            unbounded = quota.max >= record.size
            # With no upper limit the target is the minimum; otherwise the middle of the range.
            target_share = (quota.min if unbounded else (quota.min + quota.max) / 2) / record.size
            row = FeatureRow(quota.feature, quota.min, None if unbounded else quota.max, target_share, pool_n,
                             _share(pool_n, pool_total), sel_n, _share(sel_n, len(selected)),
                             resp_n, _share(resp_n, len(responded)), not_responded=sel_n - resp_n)
            minimum_share = quota.min / record.size
            if responded and quota.feature != NOT_SAID and \
                    row.responded_share < minimum_share - TOLERANCE:
                row.under_represented = True
                warnings.append(Warning(labels[key].label if key in labels else key, quota.feature,
                                        resp_n, row.responded_share, minimum_share, row.not_responded))
            rows.append(row)
        category = labels.get(key)
        report = CategoryReport(key, category.label if category else key,
                                bool(category and category.service_user), rows)
        _lay_out(report)
        categories.append(report)
    return Report(categories, warnings, pool_total, len(selected), len(responded))


def _lay_out(report: CategoryReport) -> None:
    """Bar geometry for the server-rendered SVG (the template only draws it)."""
    y = 0
    largest = max((max(r.target_share, r.pool_share, r.selected_share, r.responded_share)
                   for r in report.rows), default=0) or 1
    scale = (CHART_WIDTH - LABEL_WIDTH - 50) / largest  # the largest share spans the chart
    for row in report.rows:
        row.label_y = y + BAR_HEIGHT
        shares = (row.target_share, row.pool_share, row.selected_share, row.responded_share)
        for index, (series, colour, share) in enumerate(zip(SERIES, SERIES_COLOURS, shares, strict=True)):
            row.bars.append(Bar(series, colour, y + index * (BAR_HEIGHT + BAR_GAP),
                                round(max(share * scale, 1), 1), share))
        y += len(SERIES) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    report.height = y
