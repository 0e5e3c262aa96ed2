"""The `python -m app panel-draw` command line over the panel_draw library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import panel_draw_cli
from panel_draw import LEXIMIN

DATA = Path(__file__).resolve().parents[1] / "data" / "panels"
ROOT = Path(__file__).resolve().parents[2]
SMALL_POOL = DATA / "small_respondents.csv"
SMALL_QUOTAS = DATA / "small_categories.csv"


# --- command line ----------------------------------------------------------------------


def test_cli_prints_ids_then_a_json_last_line(capsys, tmp_path):
    record = tmp_path / "record.json"
    code = panel_draw_cli.main([
        "--pool", str(SMALL_POOL), "--quotas", str(SMALL_QUOTAS), "--size", "4", "--seed", "8",
        "--households-column", "address", "--record", str(record),
    ])
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    assert code == 0
    assert set(summary) == {
        "selected", "quota_violations", "min_selection_probability", "gini", "algorithm",
        "seconds",
    }
    assert lines[:-1] == summary["selected"] and len(summary["selected"]) == 4
    assert summary["quota_violations"] == [] and summary["algorithm"] == LEXIMIN
    audit = json.loads(record.read_text())
    assert audit["seed"] == 8 and sum(audit["probabilities"].values()) == pytest.approx(4)


def test_cli_reports_infeasible_quotas_by_category(capsys):
    code = panel_draw_cli.main([
        "panel-draw", "--pool", str(SMALL_POOL), "--quotas", str(DATA / "infeasible_categories.csv"),
        "--size", "4", "--seed", "1",
    ])
    captured = capsys.readouterr()
    assert code == 2
    assert "'age'" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["selected"] == []


def test_cli_runs_as_a_module_with_clean_stdout():
    result = subprocess.run(
        [sys.executable, "-m", "app.panel_draw_cli", "--pool", str(SMALL_POOL),
         "--quotas", str(SMALL_QUOTAS), "--size", "4", "--seed", "8"],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5
    assert json.loads(lines[-1])["selected"] == lines[:4]
