"""One CSV writer for every export: no cell a spreadsheet could run as a formula, and a round trip
through an export and an import keeps the resident's text."""

import csv
import io

import pytest

from app.csv_export import csv_text, restored_cell, safe_cell
from app.models.panel import Panel, PanelCategory, PanelFeature
from app.services.panels.targets import targets_csv

DANGEROUS = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_every_formula_prefix_is_neutralised_and_restored(text):
    assert safe_cell(text) == "'" + text
    assert restored_cell(safe_cell(text)) == text


def test_plain_text_numbers_and_blanks_pass_unchanged():
    assert [safe_cell(v) for v in ("Keep the library open", 12, None, "'quoted")] == [
        "Keep the library open", "12", "", "'quoted"]
    assert restored_cell("'quoted") == "'quoted"


def test_csv_text_writes_rows_a_spreadsheet_reads_back_as_text():
    text = csv_text([["theme", "quote"], ["Waiting", "=cmd|' /C calc'!A0"], ["Staff", 'said "thanks", twice']])
    assert list(csv.reader(io.StringIO(text))) == [
        ["theme", "quote"], ["Waiting", "'=cmd|' /C calc'!A0"], ["Staff", 'said "thanks", twice']]


def test_panel_targets_export_neutralises_tab_and_carriage_return_too():
    category = PanelCategory(key="ward", label="Ward", features=[
        PanelFeature(value="\tRiverside", target_min=3, target_max=None),
        PanelFeature(value="\rNorth", target_min=2, target_max=4),
    ])
    panel = Panel(categories=[category])
    rows = list(csv.reader(io.StringIO(targets_csv(panel), newline="")))
    assert rows[1][1] == "'\tRiverside" and rows[2][1] == "'\rNorth"
