import csv
import json

from analysis.cli import main
from tests.analysis.conftest import topic_corpus


def write_csv(path, texts, truth):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["answer", "code", "channel"])
        for i, (t, c) in enumerate(zip(texts, truth, strict=True)):
            writer.writerow([t, c, "online" if i % 2 else "paper"])


class TestEvaluate:
    def test_last_line_is_json_with_the_scores(self, tmp_path, capsys):
        texts, truth = topic_corpus()
        write_csv(tmp_path / "in.csv", texts, truth)
        args = [
            "evaluate",
            "--input",
            str(tmp_path / "in.csv"),
            "--text-column",
            "answer",
            "--label-column",
            "code",
            "--embedder",
            "fake",
        ]
        assert main(args) == 0
        out, err = capsys.readouterr()
        scores = json.loads(out.strip().splitlines()[-1])
        assert set(scores) == {
            "n",
            "k_true",
            "k_found",
            "nmi",
            "ari",
            "acc",
            "v_measure",
            "other_fraction",
            "seconds",
        }
        assert scores["n"] == 120 and scores["k_true"] == 6
        assert scores["nmi"] > 0.9
        assert "embedding" in err and "labelling" in err

    def test_given_k(self, tmp_path, capsys):
        texts, truth = topic_corpus()
        write_csv(tmp_path / "in.csv", texts, truth)
        main(
            [
                "evaluate",
                "--input",
                str(tmp_path / "in.csv"),
                "--text-column",
                "answer",
                "--label-column",
                "code",
                "--embedder",
                "fake",
                "--k",
                "2",
            ]
        )
        assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["k_found"] <= 2


class TestThemes:
    def test_markdown(self, tmp_path, capsys):
        texts, truth = topic_corpus()
        write_csv(tmp_path / "in.csv", texts, truth)
        main(
            [
                "themes",
                "--input",
                str(tmp_path / "in.csv"),
                "--text-column",
                "answer",
                "--group-column",
                "channel",
                "--embedder",
                "fake",
            ]
        )
        out = capsys.readouterr().out
        assert out.startswith("# ") and "themes from 120 answers" in out.splitlines()[0]
        assert "## t1:" in out and "> " in out
        assert "Number of themes " in out.splitlines()[3]  # says how k was set

    def test_json(self, tmp_path, capsys):
        texts, truth = topic_corpus()
        write_csv(tmp_path / "in.csv", texts, truth)
        main(
            [
                "themes",
                "--input",
                str(tmp_path / "in.csv"),
                "--text-column",
                "answer",
                "--format",
                "json",
                "--embedder",
                "fake",
                "--cache",
                str(tmp_path / "c.sqlite"),
            ]
        )
        data = json.loads(capsys.readouterr().out)
        assert data["accounting"]["total"] == 120
        assert (tmp_path / "c.sqlite").exists()


class TestBenchDispatch:
    def test_lists_benchmarks_without_a_name(self, capsys):
        from bench.__main__ import available
        from bench.__main__ import main as bench_main

        assert "analysis" in available()
        assert bench_main([]) == 2
        assert "analysis" in capsys.readouterr().err


class TestBadInput:
    """An analyst's mistake gets one line saying what is wrong, never a traceback."""

    def _fails(self, argv, capsys) -> str:
        import pytest

        with pytest.raises(SystemExit) as stopped:
            main([*argv, "--embedder", "fake"])
        assert stopped.value.code not in (0, None)
        return str(stopped.value.code)

    def test_missing_file(self, tmp_path, capsys):
        message = self._fails(["themes", "--input", str(tmp_path / "nope.csv"), "--text-column", "a"], capsys)
        assert message.startswith("no such file") and "nope.csv" in message

    def test_missing_columns_are_named_with_the_ones_there(self, tmp_path, capsys):
        texts, truth = topic_corpus()
        write_csv(tmp_path / "in.csv", texts, truth)
        for argv, column in (
            (["themes", "--text-column", "comment"], "comment"),
            (["themes", "--text-column", "answer", "--group-column", "ward"], "ward"),
            (["evaluate", "--text-column", "answer", "--label-column", "label"], "label"),
        ):
            message = self._fails([*argv, "--input", str(tmp_path / "in.csv")], capsys)
            assert f"no column '{column}'" in message and "'answer', 'code', 'channel'" in message

    def test_header_without_answers(self, tmp_path, capsys):
        (tmp_path / "empty.csv").write_text("answer,code\n", encoding="utf-8")
        message = self._fails(["evaluate", "--input", str(tmp_path / "empty.csv"), "--text-column", "answer",
                               "--label-column", "code"], capsys)
        assert "no answers" in message

    def test_not_utf8(self, tmp_path, capsys):
        (tmp_path / "latin1.csv").write_bytes("answer\ncaf\xe9 closed\n".encode("latin-1"))
        message = self._fails(["themes", "--input", str(tmp_path / "latin1.csv"), "--text-column", "answer"],
                              capsys)
        assert "UTF-8" in message


class TestMalformedCsv:
    def run(self, tmp_path, content):
        path = tmp_path / "in.csv"
        path.write_text(content, encoding="utf-8")
        try:
            main(["themes", "--input", str(path), "--text-column", "text", "--embedder", "fake"])
        except SystemExit as refused:
            return str(refused)
        return None

    def test_ragged_row_is_refused_naming_the_line(self, tmp_path):
        assert self.run(tmp_path, "id,text\n1,fine\n2,too,many\n") == f"{tmp_path}/in.csv, line 3: 3 fields where the header has 2"

    def test_unclosed_quote_that_swallows_a_row_is_refused(self, tmp_path):
        message = self.run(tmp_path, 'id,text\n1,"hello\n2,world"\n3,ok\n')
        assert message == f"{tmp_path}/in.csv, line 2: a quote left open merges this row with the next"

    def test_quote_open_at_the_end_is_refused(self, tmp_path):
        assert "line 3" in self.run(tmp_path, 'id,text\n1,ok\n2,"never closed\n')

    def test_multi_line_answers_are_fine(self, tmp_path, capsys):
        assert self.run(tmp_path, 'id,text\n1,"one line\nand another, with a comma"\n2,fine\n') is None
