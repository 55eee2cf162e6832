"""Shared fixtures: the `mica` binary and the reports it renders."""

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[4]
EXAMPLE = "spec/examples/mic2025-brief.mica"
ERRORS = "crates/mica-render/tests/briefs/errors.mica"


def mica_bin() -> str:
    return os.environ.get("MICA_BIN") or str(REPO / "target" / "debug" / "mica")


def render(brief: str, fmt: str, out: pathlib.Path, expect: int) -> pathlib.Path:
    """Run `mica render` and check its exit code."""
    r = subprocess.run(
        [mica_bin(), "render", brief, "--format", fmt, "-o", str(out)],
        cwd=REPO, capture_output=True, text=True,
    )
    assert r.returncode == expect, r.stderr
    return out


@pytest.fixture(scope="session")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="session")
def example_json(out_dir):
    return json.loads(render(EXAMPLE, "json", out_dir / "example.json", 0).read_text())


@pytest.fixture(scope="session")
def errors_json(out_dir):
    return json.loads(render(ERRORS, "json", out_dir / "errors.json", 1).read_text())
