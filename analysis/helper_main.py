"""An embedding helper process: load the embedder its arguments name, then answer until EOF.

Started by analysis.helper_processes as `python -m analysis.helper_main <spec>`; kept apart so that
helper_processes needs nothing from analysis.embedding, which uses it (no import circle).
"""

import os
import sys

from analysis.embedding import embedder_from_spec
from analysis.helper_processes import serve


def main() -> None:
    # Replies go out on a private copy of stdout; anything a library prints lands on stderr.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(embedder_from_spec(sys.argv[1:]), sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
