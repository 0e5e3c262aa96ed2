"""`python -m analysis code`: a CSV with some answers coded in, every answer coded out.

    python -m analysis code --input FILE.csv --text-column text --code-column code \
        --output OUT.csv [--seed S] [--frame FRAME.csv] [--abstain-below P] [--method M]

OUT.csv has every input row in the same order with the input columns kept: a row with a code
keeps it, a row without one gets the proposed code, and a `confidence` column (1.0 for a given
code; an abstention leaves the code empty). `--frame` reads a coding frame (columns `code` and
`description`): its descriptions are extra examples, and its codes may be proposed even if no
row has them yet. The last stderr line is JSON: n, coded (rows that came with a code), proposed,
abstained, codes (how many different codes OUT has), method (the one run: `--method chosen`, the
default, fine-tunes the model once 100 answers are coded, decision 0100), seconds.
analysis/cli.py reads the input and turns a bad file into a one-line message with exit status 2.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Callable

CONFIDENCE = "confidence"


def add_arguments(parser) -> None:
    parser.add_argument("--code-column", required=True, help="each row's code; empty where not coded yet")
    parser.add_argument("--output", required=True, help="CSV file to write")
    parser.add_argument("--frame", help="CSV coding frame with columns code and description")
    parser.add_argument(
        "--abstain-below",
        type=float,
        default=0.0,
        help="leave the code empty where the confidence is below this (0 to 1; default 0: code every row)",
    )
    parser.add_argument(
        "--method",
        choices=("chosen", "frozen", "finetune"),
        default="chosen",
        help="chosen (default): fine-tune the sentence model once enough rows are coded, else frozen;"
        " frozen: the model as packaged (seconds); finetune: always (minutes)",
    )


def read_frame(path: str, read_rows: Callable) -> dict[str, str]:
    """{code: description} from a CSV with columns code and description (read by `read_rows`,
    which raises SystemExit with a message for a bad file)."""
    rows, columns = read_rows(path)
    if "code" not in columns:
        listed = ", ".join(repr(c) for c in columns) or "none"
        raise SystemExit(f"no column 'code' in the frame {path} (its columns: {listed})")
    frame: dict[str, str] = {}
    for row in rows:
        code = row["code"].strip()
        if code:
            frame[code] = row.get("description", "").strip()
    return frame


def run(
    args, rows: list[dict[str, str]], columns: list[str], frame: dict[str, str], embedder, cache, progress
):
    from analysis.coding import chosen_method, propose_codes

    if not 0.0 <= args.abstain_below <= 1.0:
        raise SystemExit("--abstain-below must be between 0 and 1")
    started = time.perf_counter()
    if args.method == "finetune" and getattr(embedder, "model_path", None) is None:
        raise SystemExit("--method finetune needs the packaged sentence model, not --embedder fake")
    texts = [r[args.text_column] for r in rows]
    given = [r[args.code_column] if r[args.code_column].strip() else None for r in rows]  # kept exactly
    coded = sum(g is not None for g in given)
    method = chosen_method(embedder, coded) if args.method == "chosen" else args.method
    proposals = propose_codes(
        texts,
        given,
        frame,
        embedder=embedder,
        cache=cache,
        seed=args.seed,
        abstain_below=args.abstain_below,
        progress=progress,
        method=method,
    )
    header = columns if CONFIDENCE in columns else [*columns, CONFIDENCE]
    try:
        with open(args.output, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            for row, proposal in zip(rows, proposals, strict=True):
                writer.writerow(
                    {**row, args.code_column: proposal.code or "", CONFIDENCE: f"{proposal.confidence:.4f}"}
                )
    except OSError as error:
        raise SystemExit(f"cannot write {args.output}: {error}") from None
    abstained = sum(p.code is None for p in proposals)
    summary = {
        "n": len(rows),
        "coded": coded,
        "proposed": len(rows) - coded - abstained,
        "abstained": abstained,
        "codes": len({p.code for p in proposals if p.code is not None}),
        "method": method,
        "seconds": round(time.perf_counter() - started, 2),
    }
    if hasattr(progress, "close"):
        progress.close()
    print(json.dumps(summary), file=sys.stderr)
    return 0
