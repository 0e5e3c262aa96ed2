"""The packaged all-MiniLM-L6-v2, offline, end to end on real and synthetic consultation texts."""

import csv
import json

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from analysis import SentenceTransformerEmbedder, analyse, assign_incremental
from analysis.embedding import _runtime_for, cpu_precision, embedder_from_spec, usable_cpus
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
    def test_loads_offline_at_the_cpus_precision_and_runtime(self, embedder):
        assert embedder.precision == cpu_precision() and embedder.dim == 384
        assert embedder.runtime == ("openvino" if embedder.precision == "bf16" else "torch")
        runtime = "openvino-" if embedder.runtime == "openvino" else ""
        assert embedder.name == f"all-MiniLM-L6-v2+{runtime}{embedder.precision}"

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

    def test_helpers_default_to_one_per_further_cpu_with_torch_only(self, embedder):
        # OpenVINO's own streams use every CPU from one process
        assert embedder.helpers == (0 if embedder.runtime == "openvino" else usable_cpus() - 1)

    def test_a_helper_is_built_from_the_spec_with_the_same_runtime(self, embedder):
        rebuilt = embedder_from_spec(embedder.spec())
        assert (rebuilt.runtime, rebuilt.precision, rebuilt.name) == (
            embedder.runtime,
            embedder.precision,
            embedder.name,
        )
        assert rebuilt.helpers == 0

    def test_unknown_precision_refused(self):
        with pytest.raises(ValueError, match="precision"):
            SentenceTransformerEmbedder(precision="int4")

    def test_unknown_runtime_and_openvino_int8_refused(self):
        with pytest.raises(ValueError, match="runtime"):
            SentenceTransformerEmbedder(runtime="onnx")
        with pytest.raises(ValueError, match="int8"):
            SentenceTransformerEmbedder(runtime="openvino", precision="int8")

    def test_meaning_not_spelling(self, embedder):
        v = embedder.encode(["The nurses were kind", "Staff were caring", "The car park is full"])
        assert v[0] @ v[1] > v[0] @ v[2]


@pytest.fixture(scope="module")
def torch_fp32():
    return SentenceTransformerEmbedder(precision="fp32", runtime="torch", helpers=0)


@pytest.fixture(scope="module")
def openvino_bf16():
    return SentenceTransformerEmbedder(precision="bf16", runtime="openvino")


@pytest.fixture(scope="module")
def texts(nhs):
    odd = ["ok", "A", " ".join(["waiting"] * 400), "Très bien — merci!", "🙂", "  spaced out  "]
    return [r["feedback"] for r in nhs[:150]] + odd  # unsorted: long and short mixed


class TestOpenVinoRuntime:
    """The transformer and its pooling converted to OpenVINO must give sentence-transformers'
    own vectors, row for row, whatever the order, length or grouping of the texts."""

    @pytest.mark.parametrize(("precision", "floor"), [("fp32", 0.99999), ("bf16", 0.999)])
    def test_same_vectors_as_torch_fp32_row_for_row(self, texts, torch_fp32, precision, floor):
        converted = SentenceTransformerEmbedder(precision=precision, runtime="openvino")
        assert converted.name == f"all-MiniLM-L6-v2+openvino-{precision}"
        vectors = converted.encode(texts)
        assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
        assert np.sum(vectors * torch_fp32.encode(texts), axis=1).min() > floor

    def test_chunks_come_back_in_order_each_once(self, texts, openvino_bf16):
        converted = openvino_bf16
        chunks = [texts[:70], [], texts[70:71], texts[71:]]
        done = list(converted.encode_chunks(chunks))
        assert [number for number, _ in done] == [0, 1, 2, 3]
        for (_, vectors), chunk in zip(done, chunks, strict=True):
            assert vectors.shape == (len(chunk), 384)
            if chunk:
                assert np.allclose(vectors, converted.encode(chunk), atol=1e-3)

    def test_empty_input(self, openvino_bf16, torch_fp32):
        assert openvino_bf16.encode([]).shape == (0, 384)
        assert torch_fp32.encode([]).shape == (0, 384)

    def test_auto_runtime_follows_precision(self):
        assert _runtime_for("bf16") == "openvino"
        assert _runtime_for("int8") == "torch" and _runtime_for("fp32") == "torch"


class TestNhsEndToEnd:
    def test_themes_agree_with_human_codes(self, nhs, nhs_result):
        truth = [r["label"] for r in nhs]
        nmi = normalized_mutual_info_score(truth, nhs_result.assignment)
        assert nmi > 0.15
        assert 2 <= len(nhs_result.top_themes) <= 12

    def test_accounting_and_no_comment(self, nhs, nhs_result):
        assert nhs_result.accounting.balanced
        no_comment = [nhs[i]["label"] for i in nhs_result.no_comment_indices]
        assert no_comment.count("Couldn't be improved") / len(no_comment) > 0.8

    def test_labels_and_quotes_readable(self, nhs_result):
        for theme in nhs_result.top_themes:
            assert theme.label not in {"Unlabelled", "Various comments"} and " / " not in theme.label
            assert 3 <= len(theme.quotes) <= 5 and theme.description
        assert any("staff" in t.label.lower() for t in nhs_result.themes)

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
        assert result.accounting.balanced and len(result.top_themes) >= 2
        for theme in result.top_themes:
            assert sum(theme.stance_counts.values()) == theme.size
        for theme in result.themes:  # the closed answer sets each leaf's direction
            assert theme.direction in {"for", "against", "mixed", "neutral", "praise", "criticism", "suggestion"}


class TestOpenVinoChunkRows:
    class Request:
        def __init__(self, rows=None, error=None):
            self.rows, self.error = rows, error

        def get_output_tensor(self, index):
            if self.error:
                raise self.error
            return type("Tensor", (), {"data": self.rows})()

    def test_batches_fill_their_own_rows_in_any_order(self):
        from analysis.openvino_runtime import _Chunk

        chunk = _Chunk(4, 2, batches=2)
        chunk.store(np.array([3, 0]), self.Request(np.array([[3.0, 3.0], [0.0, 0.0]])))
        chunk.store(np.array([1, 2]), self.Request(np.array([[1.0, 1.0], [2.0, 2.0]])))
        assert chunk.vectors()[:, 0].tolist() == [0.0, 1.0, 2.0, 3.0]

    def test_a_failed_batch_is_raised_to_the_caller_not_lost(self):
        from analysis.openvino_runtime import _Chunk

        chunk = _Chunk(2, 2, batches=2)
        chunk.store(np.array([0]), self.Request(error=RuntimeError("stream failed")))
        chunk.store(np.array([1]), self.Request(np.array([[1.0, 1.0]])))
        with pytest.raises(RuntimeError, match="stream failed"):
            chunk.vectors()
