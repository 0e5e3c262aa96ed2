import numpy as np

from analysis import FakeEmbedder, InMemoryEmbeddingCache, SqliteEmbeddingCache
from analysis.embedding import cache_key, cpu_precision, embed


class CountingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        return super().encode(texts)


class TestFakeEmbedder:
    def test_deterministic_unit_vectors(self, fake):
        a = fake.encode(["the bins", "parking"])
        b = FakeEmbedder().encode(["the bins", "parking"])
        assert np.array_equal(a, b)
        assert np.allclose(np.linalg.norm(a, axis=1), 1.0)

    def test_shared_words_are_similar(self, fake):
        v = fake.encode(["bins rubbish collection", "rubbish bins late", "library books"])
        assert v[0] @ v[1] > 0.5 > v[0] @ v[2]

    def test_empty_text_has_a_vector(self, fake):
        assert np.isfinite(fake.encode([""])).all()


class TestEmbed:
    def test_duplicates_encoded_once(self):
        embedder = CountingEmbedder()
        out = embed(["a b", "c d", "a b"], embedder)
        assert sorted(embedder.seen) == ["a b", "c d"]
        assert np.array_equal(out[0], out[2])

    def test_cache_prevents_reembedding(self):
        embedder, cache = CountingEmbedder(), InMemoryEmbeddingCache()
        first = embed(["a b", "c d"], embedder, cache=cache)
        embedder.seen.clear()
        second = embed(["c d", "e f", "a b"], embedder, cache=cache)
        assert embedder.seen == ["e f"]
        assert np.array_equal(first[1], second[0])

    def test_progress_reaches_total(self, fake):
        calls = []
        embed([f"text {i}" for i in range(10)], fake, chunk_size=3, progress=lambda *a: calls.append(a))
        assert calls[-1] == ("embedding", 10, 10)
        assert [c[1] for c in calls] == sorted(c[1] for c in calls)

    def test_key_depends_on_model(self):
        assert cache_key("x", "model-a") != cache_key("x", "model-b")


class TestSqliteCache:
    def test_survives_reopening(self, tmp_path, fake):
        path = tmp_path / "cache.sqlite"
        cache = SqliteEmbeddingCache(path)
        vectors = embed(["one", "two"], fake, cache=cache)
        cache.close()
        reopened = SqliteEmbeddingCache(path)
        assert len(reopened) == 2
        found = reopened.get_many([cache_key("two", fake.name)])
        assert np.allclose(found[cache_key("two", fake.name)], vectors[1])

    def test_makes_its_folder(self, tmp_path, fake):
        cache = SqliteEmbeddingCache(tmp_path / "not" / "yet" / "cache.sqlite")
        embed(["one"], fake, cache=cache)
        assert len(cache) == 1 and (tmp_path / "not" / "yet" / "cache.sqlite").exists()

    def test_many_keys(self, tmp_path):
        cache = SqliteEmbeddingCache(tmp_path / "c.sqlite")
        items = {str(i): np.full(4, i, dtype=np.float32) for i in range(1200)}
        cache.put_many(items)
        assert len(cache.get_many([*list(items), "missing"])) == 1200


class TestCpuPrecision:
    FLAGS = "processor\t: 0\nflags\t\t: fpu sse2 avx2 fma avx512f avx512_vnni {extra}\n"

    def test_native_bf16_units_choose_bf16(self, tmp_path):
        for extra in ("amx_bf16 amx_tile", "avx512_bf16"):
            (tmp_path / "cpuinfo").write_text(self.FLAGS.format(extra=extra))
            assert cpu_precision(tmp_path / "cpuinfo") == "bf16"

    def test_other_cpus_choose_int8(self, tmp_path):
        (tmp_path / "cpuinfo").write_text(self.FLAGS.format(extra="amx_int8"))
        assert cpu_precision(tmp_path / "cpuinfo") == "int8"

    def test_no_cpuinfo_chooses_int8(self, tmp_path):
        assert cpu_precision(tmp_path / "missing") == "int8"


class TestLongAnswers:
    def test_long_answers_are_read_whole_in_passages(self):
        from analysis.embedding import passages

        text = " ".join(f"Sentence {i} has exactly seven words here." for i in range(60))
        parts = passages(text)
        assert len(parts) == 3 and all(len(p.split()) <= 150 for p in parts)
        assert " ".join(parts).split() == text.split()
        assert passages("short answer") == ["short answer"]

    def test_a_long_answer_vector_combines_its_passages(self):
        import numpy as np

        from analysis import FakeEmbedder
        from analysis.embedding import embed

        fake = FakeEmbedder()
        start = "bins " * 200
        end = "library " * 200
        vector = embed([start + end], fake)[0]
        bins, library = fake.encode(["bins"])[0], fake.encode(["library"])[0]
        # The end of the answer counts as much as its start (the model alone reads 256 tokens).
        assert abs(float(vector @ bins) - float(vector @ library)) < 0.05
        assert np.isclose(np.linalg.norm(vector), 1.0)
