"""Guided coding with the fake embedder: small hand-made frames, where the right code is plain."""

from types import SimpleNamespace

import numpy as np
import pytest

from analysis import coding
from analysis.coding import (
    FINETUNE_MIN_CODED,
    Proposal,
    agreement,
    chosen_method,
    least_sure,
    lexical_probabilities,
    propose_codes,
)
from tests.analysis.conftest import TOPICS


def every_tenth(truth):
    return [t if i % 10 == 0 else None for i, t in enumerate(truth)]


class TestProposeCodes:
    def test_codes_the_rest_from_a_tenth_coded(self, fake, corpus):
        texts, truth = corpus
        given = every_tenth(truth)
        proposals = propose_codes(texts, given, {}, embedder=fake)
        open_rows = [i for i, g in enumerate(given) if g is None]
        right = sum(proposals[i].code == truth[i] for i in open_rows)
        assert right / len(open_rows) >= 0.75  # two examples a topic
        assert all(0.0 <= proposals[i].confidence <= 1.0 for i in open_rows)

    def test_given_codes_come_back_unchanged_at_full_confidence(self, fake, corpus):
        texts, truth = corpus
        given = every_tenth(truth)
        given[0] = "a code nobody else uses"  # even one that the rest would not support
        proposals = propose_codes(texts, given, {}, embedder=fake)
        assert proposals[0] == Proposal("a code nobody else uses", 1.0)
        assert all(proposals[i] == Proposal(g, 1.0) for i, g in enumerate(given) if g is not None)

    def test_descriptions_alone_are_examples(self, fake):
        frame = {"parking": "car parking spaces and permits", "bins": "bin collection and recycling"}
        texts = ["not enough parking spaces", "the bins were not collected", "recycling bin lorry late"]
        proposals = propose_codes(texts, [None, None, None], frame, embedder=fake)
        assert [p.code for p in proposals] == ["parking", "bins", "bins"]

    def test_descriptions_help_a_code_with_no_coded_answers(self, fake, corpus):
        texts, truth = corpus
        given = [t if i % 10 == 0 and t != "library" else None for i, t in enumerate(truth)]
        library = [i for i, t in enumerate(truth) if t == "library"]
        without = propose_codes(texts, given, {}, embedder=fake)
        assert not any(without[i].code == "library" for i in library)
        frame = {"library": TOPICS["library"]}
        with_frame = propose_codes(texts, given, frame, embedder=fake)
        assert sum(with_frame[i].code == "library" for i in library) >= len(library) * 0.8

    def test_abstains_below_the_threshold(self, fake, corpus):
        texts, truth = corpus
        given = every_tenth(truth)
        free = propose_codes(texts, given, {}, embedder=fake)
        cautious = propose_codes(texts, given, {}, embedder=fake, abstain_below=0.6)
        for f, c, g in zip(free, cautious, given, strict=True):
            if g is None:
                assert c.confidence == f.confidence
                assert c.code == (f.code if f.confidence >= 0.6 else None)
        assert any(c.code is None for c in cautious) and any(c.code is not None for c in cautious)

    def test_nothing_to_learn_from_abstains_everywhere(self, fake):
        proposals = propose_codes(["one", "two"], [None, None], {}, embedder=fake)
        assert proposals == [Proposal(None, 0.0), Proposal(None, 0.0)]

    def test_blank_answers_are_left_to_a_person(self, fake):
        proposals = propose_codes(
            ["", "  ", "parking"], [None, None, "parking"], {"bins": "bins"}, embedder=fake
        )
        assert proposals == [Proposal(None, 0.0), Proposal(None, 0.0), Proposal("parking", 1.0)]

    def test_one_code_is_proposed_as_sure_as_the_answer_is_like_it(self, fake):
        texts = ["parking spaces", "parking permits cars", "library books"]
        proposals = propose_codes(texts, ["parking", None, None], {}, embedder=fake)
        assert proposals[1].code == proposals[2].code == "parking"
        assert proposals[1].confidence > proposals[2].confidence

    def test_precomputed_vectors_are_used(self, fake, corpus):
        texts, truth = corpus
        given = every_tenth(truth)
        by_embedder = propose_codes(texts, given, {}, embedder=fake)
        by_vectors = propose_codes(texts, given, {}, vectors=fake.encode(texts))
        assert by_vectors == by_embedder

    def test_same_seed_same_proposals(self, fake, corpus):
        texts, truth = corpus
        given = every_tenth(truth)
        assert propose_codes(texts, given, {}, embedder=fake, seed=3) == propose_codes(
            texts, given, {}, embedder=fake, seed=3
        )

    def test_reports_progress(self, fake, corpus):
        texts, truth = corpus
        seen = []
        propose_codes(texts, every_tenth(truth), {}, embedder=fake, progress=lambda *a: seen.append(a))
        stages = [s for s, _, _ in seen]
        assert stages[0] == "embedding" and stages[-1] == "proposing" and "training" in stages
        assert seen[-1][1] == seen[-1][2]

    def test_refuses_mismatched_lengths(self, fake):
        with pytest.raises(ValueError):
            propose_codes(["a", "b"], [None], {}, embedder=fake)


class TestLeastSure:
    def test_asks_about_the_least_sure_uncoded_answers_first(self):
        proposals = [
            Proposal("a", 1.0),
            Proposal("b", 0.3),
            Proposal(None, 0.1),
            Proposal("a", 0.9),
            Proposal("b", 0.3),
        ]
        given = ["a", None, None, None, None]
        assert least_sure(proposals, given, 3) == [2, 1, 4]
        assert least_sure(proposals, given, 10) == [2, 1, 4, 3]
        assert least_sure(proposals, given, 0) == []


class TestAgreement:
    def test_perfect_agreement(self):
        result = agreement(["a", "b", "a", "c"], ["a", "b", "a", "c"])
        assert result.percent == 100.0 and result.kappa == 1.0
        assert result.per_code["a"] == (100.0, 1.0, 2)

    def test_kappa_as_cohen_defined_it(self):
        # The textbook table: 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no: p_o 0.7, p_e 0.5, kappa 0.4.
        officer = ["yes"] * 25 + ["no"] * 25
        machine = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
        result = agreement(officer, machine)
        assert result.percent == 70.0 and result.kappa == pytest.approx(0.4)
        assert result.per_code["yes"] == (80.0, pytest.approx(0.4), 25)
        assert result.per_code["no"] == (60.0, pytest.approx(0.4), 25)

    def test_abstentions_count_against_the_machine(self):
        result = agreement(["a", "a", "b", "b"], ["a", None, "b", None])
        assert result.percent == 50.0 and result.per_code["a"][0] == 50.0

    def test_a_code_only_the_machine_used(self):
        result = agreement(["a", "a"], ["a", "z"])
        assert result.per_code["z"][0] is None and result.per_code["z"][2] == 0

    def test_nothing_to_compare(self):
        result = agreement([], [])
        assert result.n == 0 and result.percent is None and result.kappa is None
        assert agreement(["a", "a"], ["a", "a"]).kappa is None  # chance already agrees fully


class TestMethods:
    def test_fine_tuning_needs_the_sentence_model(self, fake, corpus):
        texts, truth = corpus
        with pytest.raises(ValueError, match="packaged sentence model"):
            propose_codes(texts, every_tenth(truth), {}, embedder=fake, method="finetune", finetune_epochs=1)

    def test_unknown_method_is_refused(self, fake, corpus):
        texts, truth = corpus
        with pytest.raises(ValueError, match="method must be one of"):
            propose_codes(texts, every_tenth(truth), {}, embedder=fake, method="magic")

    def test_chosen_falls_back_to_frozen_vectors_for_a_model_it_cannot_tune(self, fake, corpus):
        texts, truth = corpus
        given = every_tenth(truth)
        chosen = propose_codes(texts, given, {}, embedder=fake)
        assert chosen == propose_codes(texts, given, {}, embedder=fake, method="frozen")

    def test_chosen_fine_tunes_the_packaged_model_once_enough_answers_are_coded(self, fake):
        packaged = SimpleNamespace(model_path="/the/packaged/model")
        assert chosen_method(packaged, FINETUNE_MIN_CODED) == "finetune"
        assert chosen_method(None, FINETUNE_MIN_CODED) == "finetune"  # the packaged one is loaded
        assert chosen_method(packaged, FINETUNE_MIN_CODED - 1) == "frozen"
        assert chosen_method(fake, 10 * FINETUNE_MIN_CODED) == "frozen"


class TestLexicalModel:
    TEXTS = ["the lift is broken", "lift out of order again", "stairs are dirty", "dirty stairs"]
    TARGETS = ["broken lift", "the stairs"]

    def test_learns_a_code_from_its_words(self):
        labels = ["lift", "lift", "stairs", "stairs"]
        probabilities = lexical_probabilities(
            self.TEXTS, labels, np.ones(4), self.TARGETS, every_text=self.TEXTS + self.TARGETS, seed=0
        )
        assert probabilities.shape == (2, 2)  # codes in sorted order: lift, stairs
        assert probabilities[0, 0] > 0.5 > probabilities[1, 0]
        assert np.allclose(probabilities.sum(axis=1), 1.0)

    def test_no_words_to_count_gives_nothing(self):
        texts = ["!", "?"]
        assert lexical_probabilities(texts, ["a", "b"], np.ones(2), ["."], every_text=texts, seed=0) is None

    def test_decides_where_the_vectors_cannot_tell(self, monkeypatch):
        # Every answer the same vector: only the words say which code is which.
        texts = self.TEXTS + self.TARGETS
        given = ["lift", "lift", "stairs", "stairs", None, None]
        same = np.ones((len(texts), 8), dtype=np.float32)
        proposals = propose_codes(texts, given, {}, vectors=same)
        assert [p.code for p in proposals[4:]] == ["lift", "stairs"]
        monkeypatch.setattr(coding, "LEXICAL_WEIGHT", 0.0)
        without = propose_codes(texts, given, {}, vectors=same)
        assert without[4].confidence == without[5].confidence  # vectors alone cannot tell them apart

    def test_same_seed_same_proposals_with_a_frame(self, fake, corpus):
        texts, truth = corpus
        given = every_tenth(truth)
        frame = {"library": TOPICS["library"]}
        first = propose_codes(texts, given, frame, embedder=fake, seed=5)
        assert first == propose_codes(texts, given, frame, embedder=fake, seed=5)


class TestFineTuningBatches:
    LENGTHS = [3, 40, 5, 12, 64, 7, 9, 33, 4, 18, 6, 50] * 30  # short comments, a few long ones

    def test_every_example_once_a_pass_in_batches_of_at_most_the_batch_size(self):
        batches = coding._batches_by_length(self.LENGTHS, np.random.default_rng(0))
        seen = np.concatenate(batches)
        assert sorted(seen.tolist()) == list(range(len(self.LENGTHS)))
        assert all(1 <= len(b) <= coding.FINETUNE_BATCH for b in batches)

    def test_like_lengths_share_a_batch_so_little_is_padding(self):
        lengths = np.array(self.LENGTHS)
        batches = coding._batches_by_length(self.LENGTHS, np.random.default_rng(0))
        padded = sum(lengths[b].max() * len(b) for b in batches)
        assert padded < 1.5 * lengths.sum()  # random batches of 16 here pad to over 2.5 times

    def test_which_answers_share_a_batch_changes_from_pass_to_pass(self):
        rng = np.random.default_rng(0)
        first, second = (coding._batches_by_length(self.LENGTHS, rng) for _ in range(2))
        assert {tuple(sorted(b)) for b in first} != {tuple(sorted(b)) for b in second}

    def test_steps_are_capped(self):
        assert coding._steps(517, 6) == 198
        assert coding._steps(10_000, 6) == coding.FINETUNE_MAX_STEPS
