"""`pip install .` must work outside the source tree: the wheel carries the templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_packages_and_templates(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("cnnquiz-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "generator/templates/solution.txt.j2" in names
    assert "generator/network.py" in names and "cnnquiz/cli.py" in names
    assert any(n.startswith("grader/") for n in names)
    assert not any(n.startswith(("tests/", ".venv/")) for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "cnnquiz = cnnquiz.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
