"""The supported deployment (README "Running in production"): two images from one Dockerfile, a
compose file that runs web, worker, PostgreSQL and Redis, and a non-editable install that finds
its migrations. No Docker engine runs here, so what can be checked without one is checked."""

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _stage(name: str) -> str:
    match = re.search(rf"^FROM \S+ AS {name}\n(.*?)(?=^FROM |\Z)", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert match, f"no `{name}` stage in the Dockerfile"
    return match.group(1)


def test_the_web_image_installs_the_web_lock_and_no_machine_learning():
    web = _stage("web")
    assert "requirements/web.txt" in web and "--require-hashes" in web
    assert "torch" not in web and "worker.txt" not in web


def test_the_worker_image_installs_cpu_torch_then_the_worker_lock():
    worker = _stage("worker")
    assert 'download.pytorch.org/whl/cpu "torch==2.13.0"' in worker
    assert worker.index("torch==2.13.0") < worker.index("requirements/worker.txt")
    assert '"app", "worker"' in worker


def test_images_install_a_wheel_not_the_source_tree_and_never_migrate_on_start():
    assert "pip install -e" not in DOCKERFILE and "COPY bench" not in DOCKERFILE
    for stage in ("web", "worker"):
        assert "migrate" not in _stage(stage).split("CMD", 1)[1]


@pytest.mark.slow
def test_the_wheel_carries_templates_static_and_demo_data_and_finds_migrations_from_chorus_home(tmp_path):
    source = tmp_path / "source"  # what the Dockerfile's build stage copies, built outside the checkout
    for part in ("app", "analysis", "panel_draw"):
        shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(source)], check=True, timeout=300, capture_output=True)
    (wheel,) = tmp_path.glob("chorus-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "app/templates/layouts/base.html" in names
    assert any(name.startswith("app/static/") for name in names)
    assert any(name.startswith("app/demo/data/") for name in names)
    assert "panel_draw/__init__.py" in names and "analysis/__init__.py" in names
    assert not any(name.startswith(("bench/", "tests/")) for name in names)

    home = tmp_path / "home"
    (home / "migrations").mkdir(parents=True)
    shutil.copy(ROOT / "alembic.ini", home / "alembic.ini")
    code = "from app.migrations_runner import alembic_config; print(alembic_config('sqlite://').config_file_name)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "CHORUS_HOME": str(home)})
    assert result.stdout.strip() == str(home / "alembic.ini"), result.stderr


def _compose() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        if os.environ.get("CHORUS_REQUIRE_COMPOSE") == "1":
            pytest.fail("docker-compose is required here (scripts/ensure-compose installs it)")
        pytest.skip("docker-compose is not installed (scripts/ensure-compose installs it on Debian)")
    return path


def test_compose_runs_migrate_once_then_web_and_worker_against_postgres_and_redis():
    env = {**os.environ, "SECRET_KEY": "x" * 48}
    result = subprocess.run([_compose(), "-f", str(ROOT / "compose.yaml"), "config"], capture_output=True,
                            text=True, timeout=60, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    config = result.stdout
    assert {"postgres:", "redis:", "migrate:", "web:", "worker:"} <= set(re.findall(r"^  (\w+:)", config, re.M))
    assert "target: web" in config and "target: worker" in config
    assert "service_completed_successfully" in config
    assert "postgresql+psycopg://chorus" in config and "redis://redis:6379" in config


def test_compose_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    result = subprocess.run([_compose(), "-f", str(ROOT / "compose.yaml"), "config", "-q"],
                            capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
