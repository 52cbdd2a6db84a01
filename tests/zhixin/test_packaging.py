"""What the project ships: every package of ``pyproject.toml`` reaches the container
image, and the lookup's compiled kernels are built before the first search."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_image_copies_every_package_the_project_installs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, flags=re.MULTILINE))
    assert packages <= copied, f"not copied into the image: {sorted(packages - copied)}"
    for package in packages:
        assert (ROOT / package / "__init__.py").is_file(), package


def test_warm_up_leaves_the_kernels_ready_for_a_new_process(tmp_path) -> None:
    """A second process finds the kernels the first one compiled (numba's disk cache)."""
    code = "from nlp.lookup import warm_up; print(warm_up())"
    env = {"NUMBA_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    assert any(tmp_path.rglob("*.nbi")), "nothing was cached"
    second = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert second.returncode == 0, second.stderr
    assert float(second.stdout) < float(first.stdout) / 3, (first.stdout, second.stdout)
