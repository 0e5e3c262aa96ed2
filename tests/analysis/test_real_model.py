"""The packaged all-MiniLM-L6-v2, offline, end to end on real and synthetic consultation texts."""

import csv
import json

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from analysis import SentenceTransformerEmbedder, analyse, assign_incremental
from analysis.embedding import cpu_precision, usable_cpus
from analysis.helper_processes import HelperProcess
from tests.analysis.conftest import DATA

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder():
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="module")
def nhs():
    with open(DATA / "nhs_phase1_sample.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def nhs_result(nhs, embedder):
    texts = [r["feedback"] for r in nhs]
    groups = {"organization": [r["organization"] for r in nhs]}
    return analyse(texts, groups=groups, embedder=embedder)


def gambling(part):
    base = DATA / "gambling_XS"
    with open(base / "inputs" / f"question_part_{part}" / "responses.jsonl") as f:
        responses = [json.loads(line) for line in f]
    sentiment = base / "outputs" / "mapping" / "2025-07-22" / f"question_part_{part}" / "sentiment.jsonl"
    with open(sentiment) as f:
        position = {s["response_id"]: s["position"] for s in map(json.loads, f)}
    return [r["response"] for r in responses], [position.get(r["response_id"]) for r in responses]


class TestEmbedder:
    def test_loads_offline_at_the_cpus_precision(self, embedder):
        assert embedder.precision == cpu_precision() and embedder.dim == 384
        assert embedder.name == f"all-MiniLM-L6-v2+{embedder.precision}"

    def test_int8_quantises_the_transformer_in_place(self):
        import torch

        int8 = SentenceTransformerEmbedder(precision="int8")
        linear = int8.model[0].model.encoder.layer[0].attention.self.query
        assert isinstance(linear, torch.ao.nn.quantized.dynamic.Linear)
        assert int8.name == "all-MiniLM-L6-v2+int8" and int8.batch_size == 16

    @pytest.mark.parametrize(("precision", "floor"), [("int8", 0.85), ("bf16", 0.99)])
    def test_reduced_precision_close_to_fp32(self, nhs, precision, floor):
        # measured on these 60: int8 0.92, bf16 0.9999; clustering NMI is the real check
        texts = [r["feedback"] for r in nhs[:60]]
        fp32 = SentenceTransformerEmbedder(precision="fp32").encode(texts)
        reduced = SentenceTransformerEmbedder(precision=precision).encode(texts)
        assert reduced.dtype == np.float32
        assert np.sum(fp32 * reduced, axis=1).mean() > floor

    def test_a_helper_process_embeds_like_this_one(self, nhs, embedder):
        texts = [r["feedback"] for r in nhs[:80]]
        helper = HelperProcess(embedder.spec())
        try:
            from_helper = helper.encode(texts)
        finally:
            helper.close()
        assert from_helper.shape == (80, 384) and from_helper.dtype == np.float32
        # one thread against two: the same model, rounded differently in reduced precision
        assert np.sum(from_helper * embedder.encode(texts), axis=1).min() > 0.999

    def test_helpers_default_to_one_per_further_cpu(self, embedder):
        assert embedder.helpers == usable_cpus() - 1

    def test_unknown_precision_refused(self):
        with pytest.raises(ValueError, match="precision"):
            SentenceTransformerEmbedder(precision="int4")

    def test_meaning_not_spelling(self, embedder):
        v = embedder.encode(["The nurses were kind", "Staff were caring", "The car park is full"])
        assert v[0] @ v[1] > v[0] @ v[2]


class TestNhsEndToEnd:
    def test_themes_agree_with_human_codes(self, nhs, nhs_result):
        truth = [r["label"] for r in nhs]
        nmi = normalized_mutual_info_score(truth, nhs_result.assignment)
        assert nmi > 0.15
        assert 3 <= len(nhs_result.top_themes) <= 25

    def test_accounting_and_no_comment(self, nhs, nhs_result):
        assert nhs_result.accounting.balanced
        no_comment = [nhs[i]["label"] for i in nhs_result.no_comment_indices]
        assert no_comment.count("Couldn't be improved") / len(no_comment) > 0.8

    def test_labels_and_quotes_readable(self, nhs_result):
        for theme in nhs_result.top_themes:
            assert theme.label != "Unlabelled"
            assert 3 <= len(theme.quotes) <= 5
        assert any("staff" in t.label.lower() for t in nhs_result.top_themes)

    def test_groups_reported(self, nhs_result):
        values = {g.value for t in nhs_result.top_themes for g in t.groups}
        assert values == {"Trust A", "Trust B", "Trust C"}

    def test_incremental_keeps_themes(self, nhs, nhs_result, embedder):
        update = assign_incremental(
            nhs_result, ["The nurses were so kind and caring", "n/a"], embedder=embedder
        )
        assert update.assignment[0].startswith("t") and update.assignment[1] == "no_comment"


class TestGamblingEndToEnd:
    @pytest.mark.parametrize("part", [1, 2])
    def test_stance_is_split_within_themes(self, part, embedder):
        texts, stance = gambling(part)
        result = analyse(texts, stance=stance, embedder=embedder)
        assert result.accounting.balanced and len(result.top_themes) >= 3
        for theme in result.top_themes:
            assert sum(theme.stance_counts.values()) == theme.size
