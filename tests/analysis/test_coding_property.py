"""Guided coding's promises for any input (hypothesis, fake embedder): a given code is never
changed, every row comes out once and in order, abstentions are below the threshold."""

import csv
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import FakeEmbedder
from analysis.cli import main
from analysis.coding import Proposal, least_sure, propose_codes

WORDS = ["bins", "parking", "library", "bus", "late", "cost", "staff", "n/a", "", "lovely", "diolch", "服务"]
CODES = ["Bins", "Parking ", "library", "Other / misc", "😀", "a,b"]

answers = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join), st.text(max_size=15), st.none()
)
rows = st.lists(st.tuples(answers, st.one_of(st.none(), st.just(""), st.sampled_from(CODES))), max_size=40)
frames = st.dictionaries(st.sampled_from([*CODES, "new code"]), st.text(max_size=20), max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows, frame=frames, threshold=st.sampled_from([0.0, 0.3, 0.9]), seed=st.integers(0, 2))
def test_given_codes_never_change_and_every_row_is_answered(rows, frame, threshold, seed):
    texts = [t for t, _ in rows]
    codes = [c for _, c in rows]
    proposals = propose_codes(
        texts, codes, frame, embedder=FakeEmbedder(), abstain_below=threshold, seed=seed
    )
    assert len(proposals) == len(rows)
    known = {c for c in codes if c and c.strip()} | set(frame)
    for proposal, code in zip(proposals, codes, strict=True):
        if code and code.strip():
            assert proposal == Proposal(code, 1.0)
        else:
            assert 0.0 <= proposal.confidence <= 1.0
            assert proposal.code is None or (proposal.code in known and proposal.confidence >= threshold)
    order = least_sure(proposals, codes, len(rows))
    assert sorted(order) == [i for i, c in enumerate(codes) if c is None]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows)
def test_the_command_writes_every_row_once_in_order(rows):
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.csv", Path(folder) / "out.csv"
        with open(source, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "text", "code"])
            writer.writerows([i, text or "", code or ""] for i, (text, code) in enumerate(rows))
        args = ["code", "--input", str(source), "--text-column", "text", "--code-column", "code"]
        status = main([*args, "--output", str(target), "--embedder", "fake"])
        if not rows:
            assert status == 2  # a header and no answers is refused
            return
        assert status == 0
        with open(target, newline="", encoding="utf-8") as f:
            out = list(csv.DictReader(f))
    assert [int(r["id"]) for r in out] == list(range(len(rows)))
    for r, (text, code) in zip(out, rows, strict=True):
        assert r["text"] == (text or "").replace("\r", "\n") or "\r" in (text or "")
        if code and code.strip():
            assert r["code"] == code and r["confidence"] == "1.0000"


def test_the_summary_counts_add_up(tmp_path, capsys):
    (tmp_path / "in.csv").write_text("text,code\nbins late,Bins\nparking cost,Parking\nbins,\n,\nlibrary,\n")
    args = ["code", "--input", str(tmp_path / "in.csv"), "--text-column", "text", "--code-column", "code"]
    assert main([*args, "--output", str(tmp_path / "out.csv"), "--embedder", "fake"]) == 0
    summary = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert summary["n"] == 5 and summary["coded"] == 2
    assert summary["coded"] + summary["proposed"] + summary["abstained"] == 5 and summary["abstained"] >= 1
