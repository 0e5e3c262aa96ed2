"""One set of chart macros (components/charts.html): each chart says its numbers in its description
and again in a table, whatever shape of bars its page has."""

import re
from types import SimpleNamespace

from bs4 import BeautifulSoup

from app.services.consultations.results import Bar
from app.templating import TEMPLATE_DIR, templates


def render(call: str, **values) -> BeautifulSoup:
    source = '{% from "components/charts.html" import bar_chart, timeline_chart, group_bars %}' + call
    return BeautifulSoup(templates.env.from_string(source).render(**values), "html.parser")


def table_rows(html: BeautifulSoup) -> list[list[str]]:
    return [
        [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
        for row in html.select("table tbody tr")
    ]


def test_theme_rows_and_result_bars_draw_the_same_chart_with_its_table():
    themes = render(
        '{{ bar_chart("t", "Answers per theme", rows, label_heading="Theme") }}',
        rows=[("Opening hours", 120, 0.6), ("Parking & <access>", 80, 0.4)],
    )
    bars = render(
        '{{ bar_chart("t", "Answers per theme", rows, label_heading="Theme") }}',
        rows=[Bar("Opening hours", 120, 60.0), Bar("Parking & <access>", 80, 40.0)],
    )
    assert str(themes) == str(bars)
    assert table_rows(themes) == [["Opening hours", "120", "60.0%"], ["Parking & <access>", "80", "40.0%"]]
    assert themes.select_one("svg")["aria-labelledby"] == "t-title t-desc"
    desc = themes.select_one("desc").get_text()
    assert "Opening hours: 120 answers (60.0%)." in desc and "Parking & <access>: 80 answers (40.0%)." in desc
    assert themes.select_one("table caption").get_text() == "Answers per theme: the numbers"
    assert [th.get_text() for th in themes.select("thead th")] == ["Theme", "Answers", "Per cent"]
    widths = [float(rect["width"]) for rect in themes.select("rect.chart-bar")]
    assert widths == [520.0, 346.7]  # the largest bar spans the width


def test_an_empty_chart_draws_nothing_and_fails_nothing():
    html = render('{{ bar_chart("e", "Nothing yet", []) }}')
    assert not html.select("rect") and table_rows(html) == []


def test_timeline_and_group_bars_keep_their_tables():
    days = [SimpleNamespace(label="2026-03-01", count=4), SimpleNamespace(label="2026-03-02", count=9)]
    timeline = render('{{ timeline_chart("d", "Responses per day", days) }}', days=days)
    assert table_rows(timeline) == [["2026-03-01", "4"], ["2026-03-02", "9"]]
    assert "the busiest day had 9 responses" in timeline.select_one("desc").get_text()
    cells = [
        SimpleNamespace(value="under_25", theme_share=0.5, overall_share=0.2, flag="over"),
        SimpleNamespace(value="65_plus", theme_share=0.1, overall_share=0.3, flag="under"),
    ]
    groups = render('{{ group_bars("g", cells) }}', cells=cells)
    assert table_rows(groups) == [
        ["under 25", "50%", "20%", "More than expected"],
        ["65 plus", "10%", "30%", "Less than expected"],
    ]


def test_there_is_one_set_of_chart_macros():
    defined, imported = [], set()
    for path in TEMPLATE_DIR.rglob("*.html"):
        source = path.read_text()
        if re.search(r"{%-?\s*macro\s+(bar_chart|timeline_chart|group_bars)\b", source):
            defined.append(path.relative_to(TEMPLATE_DIR).as_posix())
        imported |= set(
            re.findall(r'{%\s*from\s+"([^"]+)"\s+import\s+[^%]*\b(?:bar_chart|timeline_chart)', source)
        )
    assert defined == ["components/charts.html"]
    assert imported == {"components/charts.html"}
