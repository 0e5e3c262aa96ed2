"""Command line: `python -m analysis themes ...`, `python -m analysis evaluate ...` and
`python -m analysis code ...` (analysis/coding_cli.py)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from analysis import coding_cli
from analysis.embedding import FakeEmbedder, SentenceTransformerEmbedder, SqliteEmbeddingCache
from analysis.evaluation import flat_labels, score
from analysis.pipeline import Options, analyse
from analysis.result import OTHER, AnalysisResult


class ProgressBar:
    """One self-overwriting line per stage on stderr."""

    def __init__(self, stream: TextIO | None = None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.stage is not None and stage != self.stage:
            self.stream.write("\n")
        self.stage = stage
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{stage:<12} [{bar}] {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        if self.stage is not None:
            self.stream.write("\n")
            self.stream.flush()


_PRECISION = {"minilm": "auto", "minilm-bf16": "bf16", "minilm-int8": "int8", "minilm-fp32": "fp32"}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis")
    commands = parser.add_subparsers(dest="command", required=True)
    themes = commands.add_parser("themes", help="print the themes of a CSV column")
    _common(themes)
    themes.add_argument("--group-column", action="append", default=[])
    themes.add_argument("--stance-column")
    themes.add_argument("--format", choices=("json", "markdown"), default="markdown")
    themes.set_defaults(run=_themes)
    evaluate = commands.add_parser("evaluate", help="compare themes with human codes")
    _common(evaluate)
    evaluate.add_argument("--label-column", required=True)
    evaluate.set_defaults(run=_evaluate)
    code = commands.add_parser("code", help="code the uncoded rows of a CSV from its coded ones")
    code.add_argument("--input", required=True, help="CSV file with a header row")
    code.add_argument("--text-column", required=True)
    code.add_argument("--seed", type=int, default=0)
    code.add_argument("--cache", help="SQLite file to cache embeddings in")
    code.add_argument("--embedder", choices=(*_PRECISION, "fake"), default="minilm")
    coding_cli.add_arguments(code)
    code.set_defaults(run=_code)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, help="CSV file with a header row")
    parser.add_argument("--text-column", required=True)
    parser.add_argument("--k", type=int, help="number of themes (default: chosen automatically)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", help="SQLite file to cache embeddings in")
    parser.add_argument("--embedder", choices=(*_PRECISION, "fake"), default="minilm",
                        help="minilm: bf16 where the CPU has native bf16, else int8")


def _load(args) -> list[dict[str, str]]:
    """The CSV's rows, or a one-line reason why they cannot be read (never a traceback)."""
    try:
        with open(args.input, newline="", encoding="utf-8-sig") as f:
            rows, columns = read_strict_csv(f, args.input)
    except FileNotFoundError:
        raise SystemExit(f"no such file: {args.input}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise SystemExit(f"cannot read {args.input} as a UTF-8 CSV file: {error}") from None
    wanted = [args.text_column, *getattr(args, "group_column", []),
              *[c for c in (getattr(args, "stance_column", None), getattr(args, "label_column", None),
                            getattr(args, "code_column", None)) if c]]
    missing = [c for c in wanted if c not in columns]
    if missing:
        listed = ", ".join(repr(c) for c in columns) or "none"
        raise SystemExit(f"no column {missing[0]!r} in {args.input} (its columns: {listed})")
    if not rows:
        raise SystemExit(f"{args.input} has a header row but no answers")
    return rows


def read_strict_csv(f, name: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows as dicts, refusing a malformed file with the line at fault: a row with more or fewer
    fields than the header (a ragged row, or two answers merged by an unclosed quote), or a
    quote left open at the end of the file."""
    reader = csv.reader(f, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise SystemExit(f"{name}, line {reader.line_num}: {error}") from None
    if header is None:
        return [], []
    rows = []
    start = reader.line_num + 1
    try:
        for record in reader:
            if len(record) != len(header):
                if record == []:
                    start = reader.line_num + 1
                    continue
                merged = " (a quote left open merges rows)" if reader.line_num > start else ""
                raise SystemExit(
                    f"{name}, line {start}: {len(record)} fields where the header has {len(header)}{merged}"
                )
            if reader.line_num > start and _looks_merged(record, len(header)):
                raise SystemExit(f"{name}, line {start}: a quote left open merges this row with the next")
            rows.append(dict(zip(header, record, strict=True)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise SystemExit(f"{name}, line {start}: {error}") from None
    return rows, header


def _looks_merged(record: list[str], width: int) -> bool:
    """A field holding a line that reads like a row of its own (as many commas as a row has, and
    a first field shaped like this row's first field): a quote left open swallowed that row."""
    first_numeric = record[0].strip().isdigit()
    for field in record:
        for line in field.split("\n")[1:]:
            parts = line.split(",")
            shaped = parts[0].strip().isdigit() == first_numeric
            if len(parts) >= width and shaped and (width >= 3 or first_numeric):
                return True
    return False


def _run(args, rows, groups=None, stance=None) -> AnalysisResult:
    embedder = _embedder(args.embedder)
    cache = SqliteEmbeddingCache(args.cache) if args.cache else None
    bar = ProgressBar()
    try:
        return analyse(
            [r[args.text_column] for r in rows],
            groups=groups,
            stance=stance,
            embedder=embedder,
            cache=cache,
            seed=args.seed,
            progress=bar,
            options=Options(k=args.k),
        )
    finally:
        bar.close()


def _embedder(name: str):
    if name == "fake":
        return FakeEmbedder()
    return SentenceTransformerEmbedder(precision=_PRECISION[name])


def _code(args) -> int:
    """Bad input (no such file, a broken CSV, a missing column, no rows) is one line on stderr
    and exit status 2."""
    try:
        rows = _load(args)
        frame = coding_cli.read_frame(args.frame, _read_csv) if args.frame else {}
        cache = SqliteEmbeddingCache(args.cache) if args.cache else None
        embedder = _embedder(args.embedder)
        return coding_cli.run(args, rows, list(rows[0]), frame, embedder, cache, ProgressBar())
    except SystemExit as refusal:
        if isinstance(refusal.code, int):
            raise
        print(f"python -m analysis code: {refusal.code}", file=sys.stderr)
        return 2


def _read_csv(path: str) -> tuple[list[dict[str, str]], list[str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            return read_strict_csv(f, path)
    except FileNotFoundError:
        raise SystemExit(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise SystemExit(f"cannot read {path} as a UTF-8 CSV file: {error}") from None


def _themes(args) -> int:
    rows = _load(args)
    groups = {g: [r.get(g) for r in rows] for g in args.group_column} or None
    stance = [r.get(args.stance_column) for r in rows] if args.stance_column else None
    result = _run(args, rows, groups, stance)
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(to_markdown(result))
    return 0


def _evaluate(args) -> int:
    rows = _load(args)
    started = time.perf_counter()
    result = _run(args, rows)
    seconds = time.perf_counter() - started
    campaign_theme = {c.id: c.theme_id for c in result.campaigns}
    found = flat_labels(result.assignment, campaign_theme)
    scores = score(
        [r[args.label_column] for r in rows],
        found,
        k_found=len(result.top_themes),
        other_fraction=found.count(OTHER) / max(len(found), 1),
        seconds=seconds,
    )
    print(to_markdown(result, with_quotes=False))
    print(json.dumps(scores.to_dict()))
    return 0


_K_METHODS = {
    "no structure": "The answers show no clearly separate groups: the number of themes is where they"
    " separate best (at most 12), and the themes are a reading aid, not natural divisions.",
    "silhouette": "Number of themes read from the answers (where they separate most clearly).",
    "given": "Number of themes given with --k.",
    "too few": "Too few answers to group: all in one theme.",
}


def _how_many(k_method: str | None) -> str:
    return _K_METHODS.get(k_method or "", "")


def to_markdown(result: AnalysisResult, *, with_quotes: bool = True) -> str:
    acc = result.accounting
    lines = [
        f"# {len(result.top_themes)} themes from {acc.total} answers",
        "",
        f"In themes {acc.in_themes} · other {acc.other} · no comment {acc.no_comment}"
        f" · blank {acc.blank} · other languages {acc.other_language}"
        f" · in campaigns {acc.in_campaigns} ({len(result.campaigns)} campaigns)",
        _how_many(result.parameters.get("k_method")),
    ]
    for theme in result.themes:
        depth = "###" if theme.parent_id else "##"
        tentative = " — tentative" if theme.tentative else ""
        lines += ["", f"{depth} {theme.id}: {theme.label} ({theme.size}, {theme.share:.0%};"
                      f" {theme.direction}{tentative})"]
        if theme.description:
            lines.append(theme.description)
        lines.append(f"Keywords: {', '.join(theme.keywords)}")
        if theme.stance_counts:
            lines.append("Stance: " + ", ".join(f"{k} {v}" for k, v in theme.stance_counts.items()))
        lines += [f"- {g.column}={g.value}: {g.flag}" for g in theme.groups if g.flag]
        if with_quotes:
            lines += [f"> {quote}" for _, quote in theme.quotes]
    for c in result.campaigns:
        lines += ["", f"## Campaign {c.id} ({c.size} answers, theme {c.theme_id})", f"> {c.quote}"]
    if result.other_languages:
        lines += ["", f"## Other languages ({len(result.other_languages)})"]
        counts: dict[str, int] = {}
        for _, language in result.other_languages:
            counts[language] = counts.get(language, 0) + 1
        lines += [f"- {language}: {n}" for language, n in sorted(counts.items())]
    return "\n".join(lines)
