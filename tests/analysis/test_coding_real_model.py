"""Guided coding with the packaged all-MiniLM-L6-v2, end to end through `python -m analysis code`:
real NHS comments, half of a few hundred coded by hand, the rest coded by Chorus (the chosen
method: the sentence model fine-tuned on the coded half, decision 0100)."""

import csv
import json
from collections import Counter

import pytest

from analysis.cli import main
from tests.analysis.conftest import DATA

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nhs():
    with open(DATA / "nhs_phase1_sample.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_codes_real_comments_from_a_coded_half(nhs, tmp_path, capsys):
    rows = [
        {"id": r["row_index"], "feedback": r["feedback"], "code": r["label"] if i % 2 else ""}
        for i, r in enumerate(nhs)
    ]
    with open(tmp_path / "in.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "feedback", "code"])
        writer.writeheader()
        writer.writerows(rows)
    args = ["code", "--input", str(tmp_path / "in.csv"), "--text-column", "feedback", "--code-column", "code"]
    assert main([*args, "--output", str(tmp_path / "out.csv"), "--seed", "1"]) == 0
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        out = list(csv.DictReader(f))
    assert [r["id"] for r in out] == [r["id"] for r in rows]
    open_rows = [i for i, r in enumerate(rows) if not r["code"]]
    assert all(out[i]["code"] == rows[i]["code"] for i in range(len(rows)) if rows[i]["code"])
    truth = [nhs[i]["label"] for i in open_rows]
    right = sum(out[i]["code"] == t for i, t in zip(open_rows, truth, strict=True)) / len(open_rows)
    majority = Counter(truth).most_common(1)[0][1] / len(truth)
    print(f"accuracy {right:.3f}, majority {majority:.3f}")
    assert right >= 0.6 and right > majority + 0.2
    summary = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert summary["n"] == len(rows) and summary["coded"] == len(rows) - len(open_rows)
    assert summary["method"] == "finetune"
