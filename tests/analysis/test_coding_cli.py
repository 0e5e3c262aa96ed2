"""`python -m analysis code` with the fake embedder: every row out once, in order, columns kept."""

import csv
import json

import pytest

from analysis.cli import main
from tests.analysis.conftest import topic_corpus


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def code(tmp_path, *extra, input_name="in.csv"):
    return main(
        [
            "code",
            "--input",
            str(tmp_path / input_name),
            "--text-column",
            "answer",
            "--code-column",
            "code",
            "--output",
            str(tmp_path / "out.csv"),
            "--embedder",
            "fake",
            *extra,
        ]
    )


@pytest.fixture
def coded_tenth(tmp_path):
    texts, truth = topic_corpus()
    rows = [
        [f"r{i}", t, c if i % 10 == 0 else "", "online" if i % 2 else "paper"]
        for i, (t, c) in enumerate(zip(texts, truth, strict=True))
    ]
    write(tmp_path / "in.csv", ["id", "answer", "code", "channel"], rows)
    return rows, truth


class TestCode:
    def test_every_row_in_order_with_its_columns_and_a_confidence(self, tmp_path, capsys, coded_tenth):
        rows, truth = coded_tenth
        assert code(tmp_path) == 0
        header, out = read(tmp_path / "out.csv")
        assert header == ["id", "answer", "code", "channel", "confidence"]
        assert [(r["id"], r["answer"], r["channel"]) for r in out] == [(r[0], r[1], r[3]) for r in rows]
        for row, given in zip(out, rows, strict=True):
            if given[2]:
                assert row["code"] == given[2] and float(row["confidence"]) == 1.0
            else:
                assert row["code"] in {r[2] for r in rows if r[2]}
                assert 0.0 < float(row["confidence"]) < 1.0
        right = sum(r["code"] == t for r, t in zip(out, truth, strict=True))
        assert right / len(out) > 0.75
        err = capsys.readouterr().err
        assert "embedding" in err and "training" in err  # the progress bar
        summary = json.loads(err.strip().splitlines()[-1])
        used = {r[2] for r in rows if r[2]}  # a topic may have no coded row in this sample
        assert summary["n"] == 120 and summary["coded"] == 12 and summary["codes"] == len(used)
        assert summary["proposed"] + summary["abstained"] == 108 and summary["seconds"] >= 0
        assert summary["method"] == "frozen"  # the fake embedder cannot be fine-tuned

    def test_fine_tuning_the_fake_embedder_is_refused(self, tmp_path, capsys, coded_tenth):
        assert code(tmp_path, "--method", "finetune") == 2
        assert "needs the packaged sentence model" in capsys.readouterr().err
        assert not (tmp_path / "out.csv").exists()

    def test_unknown_method_is_a_usage_error(self, tmp_path, capsys, coded_tenth):
        with pytest.raises(SystemExit) as exit:
            code(tmp_path, "--method", "magic")
        assert exit.value.code == 2 and "invalid choice" in capsys.readouterr().err

    def test_a_frame_names_codes_nobody_has_used_yet(self, tmp_path, coded_tenth):
        write(
            tmp_path / "frame.csv", ["code", "description"], [["trees", "trees planted oak ash elm woodland"]]
        )
        with open(tmp_path / "in.csv", "a", newline="", encoding="utf-8") as f:
            csv.writer(f).writerow(["extra", "oak ash elm woodland trees", "", "paper"])
        assert code(tmp_path, "--frame", str(tmp_path / "frame.csv")) == 0
        _, out = read(tmp_path / "out.csv")
        assert out[-1]["code"] == "trees"

    def test_abstaining_leaves_the_code_empty(self, tmp_path, capsys, coded_tenth):
        assert code(tmp_path, "--abstain-below", "0.99") == 0
        _, out = read(tmp_path / "out.csv")
        uncoded = [r for r in out if float(r["confidence"]) < 1.0]
        assert uncoded and all(r["code"] == "" for r in uncoded)
        summary = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert summary["abstained"] == len(uncoded) and summary["proposed"] == 0

    def test_same_seed_same_file(self, tmp_path, coded_tenth):
        code(tmp_path, "--seed", "4")
        first = (tmp_path / "out.csv").read_text()
        code(tmp_path, "--seed", "4")
        assert (tmp_path / "out.csv").read_text() == first


class TestBadInput:
    """A clear one-line message and exit status 2, never a traceback."""

    def refused(self, tmp_path, capsys, *extra, input_name="in.csv"):
        assert code(tmp_path, *extra, input_name=input_name) == 2
        err = capsys.readouterr().err.strip()
        assert "Traceback" not in err and not (tmp_path / "out.csv").exists()
        return err

    def test_missing_code_column(self, tmp_path, capsys):
        write(tmp_path / "in.csv", ["answer", "theme"], [["parking", "p"]])
        err = self.refused(tmp_path, capsys)
        assert "no column 'code'" in err and "'answer', 'theme'" in err

    def test_missing_text_column(self, tmp_path, capsys):
        write(tmp_path / "in.csv", ["text", "code"], [["parking", "p"]])
        assert "no column 'answer'" in self.refused(tmp_path, capsys)

    def test_empty_file(self, tmp_path, capsys):
        (tmp_path / "in.csv").write_text("")
        assert "no column 'answer'" in self.refused(tmp_path, capsys)

    def test_header_without_rows(self, tmp_path, capsys):
        (tmp_path / "in.csv").write_text("answer,code\n")
        assert "no answers" in self.refused(tmp_path, capsys)

    def test_broken_csv(self, tmp_path, capsys):
        (tmp_path / "in.csv").write_text('answer,code\n"parking,p\nbins,b\n')
        assert "line 2" in self.refused(tmp_path, capsys)

    def test_ragged_row(self, tmp_path, capsys):
        (tmp_path / "in.csv").write_text("answer,code\nparking,p,extra\n")
        assert "line 2: 3 fields where the header has 2" in self.refused(tmp_path, capsys)

    def test_not_utf8(self, tmp_path, capsys):
        (tmp_path / "in.csv").write_bytes("answer,code\ncaf\xe9,p\n".encode("latin-1"))
        assert "UTF-8" in self.refused(tmp_path, capsys)

    def test_no_such_file(self, tmp_path, capsys):
        assert "no such file" in self.refused(tmp_path, capsys, input_name="absent.csv")

    def test_frame_without_a_code_column(self, tmp_path, capsys):
        write(tmp_path / "in.csv", ["answer", "code"], [["parking", "p"], ["bins", ""]])
        write(tmp_path / "frame.csv", ["name", "description"], [["p", "parking"]])
        assert "no column 'code' in the frame" in self.refused(
            tmp_path, capsys, "--frame", str(tmp_path / "frame.csv")
        )

    def test_threshold_out_of_range(self, tmp_path, capsys):
        write(tmp_path / "in.csv", ["answer", "code"], [["parking", "p"], ["bins", ""]])
        assert "between 0 and 1" in self.refused(tmp_path, capsys, "--abstain-below", "2")

    def test_unwritable_output(self, tmp_path, capsys):
        write(tmp_path / "in.csv", ["answer", "code"], [["parking", "p"], ["bins", ""]])
        args = [
            "code",
            "--input",
            str(tmp_path / "in.csv"),
            "--text-column",
            "answer",
            "--code-column",
            "code",
        ]
        args += ["--output", str(tmp_path / "no" / "such" / "dir.csv"), "--embedder", "fake"]
        assert main(args) == 2
        assert "cannot write" in capsys.readouterr().err
