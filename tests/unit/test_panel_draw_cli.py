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


def test_lottery_draw_publishes_a_file_that_panel_verify_checks(capsys, tmp_path):
    from app import panel_verify_cli

    published = tmp_path / "lottery.txt"
    arguments = ["--pool", str(SMALL_POOL), "--quotas", str(SMALL_QUOTAS), "--size", "4",
                 "--seed", "8", "--lottery", "100", "--publish", str(published)]
    assert panel_draw_cli.main(arguments) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    assert set(summary) == {
        "selected", "quota_violations", "min_selection_probability", "gini", "algorithm",
        "seconds", "lottery_size", "ticket",
    }
    assert summary["lottery_size"] == 100 and 1 <= summary["ticket"] <= 100
    first_bytes = published.read_bytes()
    assert panel_draw_cli.main(arguments) == 0  # the same inputs give the same bytes
    capsys.readouterr()
    assert published.read_bytes() == first_bytes

    assert panel_verify_cli.main(["--published", str(published), "--ticket", str(summary["ticket"])]) == 0
    verified = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert verified["digest_ok"] is True and len(verified["panel"]) == 4
    assert panel_verify_cli.main(["--published", str(published), "--seed", "8"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["ticket"] == summary["ticket"]

    published.write_bytes(first_bytes.replace(b"\n1: ", b"\n1:  "))  # tampered after publishing
    assert panel_verify_cli.main(["--published", str(published), "--ticket", "1"]) == 1
    assert "DIFFERS" in capsys.readouterr().err


def test_panel_verify_runs_as_python_m_app(tmp_path):
    published = tmp_path / "lottery.txt"
    assert panel_draw_cli.main([
        "--pool", str(SMALL_POOL), "--quotas", str(SMALL_QUOTAS), "--size", "4", "--seed", "3",
        "--lottery", "20", "--publish", str(published),
    ]) == 0
    result = subprocess.run(
        [sys.executable, "-m", "app", "panel-verify", "--published", str(published), "--ticket", "20"],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["digest_ok"] is True
