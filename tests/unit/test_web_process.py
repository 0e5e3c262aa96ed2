"""The web process stays small: it never imports torch or the analysis models."""

import subprocess
import sys


def test_creating_the_app_does_not_import_torch(tmp_path):
    code = (
        "import sys; from app.main import create_app; create_app(); "
        "heavy = [m for m in ('torch', 'sentence_transformers', 'sklearn', 'transformers') "
        "if m in sys.modules]; print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "PATH": "/usr/bin:/bin",
                                 "QUEUE_IMMEDIATE": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
