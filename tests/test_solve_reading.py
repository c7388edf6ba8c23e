"""`cnnquiz solve` on pasted code: the repairs and notes are shown, and PyTorch code is counted
as PyTorch counts (issue 13.1 output and 13.6)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cnnquiz.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "pasted"


def _run(tmp_path: Path, name: str, *args: str) -> tuple[int, str]:
    path = tmp_path / (Path(name).stem + ".py")  # the CLI reads Python files by their suffix
    path.write_text((CORPUS / name).read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["solve", str(path), *args])
    return result.exit_code, result.stdout


def test_torch_text_prints_pytorchs_count_and_buffers(tmp_path: Path) -> None:
    # conv (75 + 1)·12 = 912, BN γ β 24 (+ 24 running statistics), linear (12 + 1)·4 = 52
    code, out = _run(tmp_path, "ipython_session_torch.txt", "--input-shape", "32x32x3")
    assert code == 0
    assert "Total params: 988 (PyTorch's count, sum(p.numel() for p in model.parameters())" in out
    assert "Buffers, not parameters (batch-norm running_mean, running_var): 24" in out
    assert "running_mean" in out and "(buffer: running_mean, not a parameter)" in out
    bn_row = next(line for line in out.splitlines() if line.startswith("1 (batch_norm")
                  or "(batch_normalization)" in line)
    assert bn_row.split()[-1] == "24"  # torchinfo's Param # for BatchNorm2d(12)


def test_torch_json_gives_parameters_and_buffers(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "ipython_session_torch.txt", "--input-shape", "32x32x3",
                     "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["framework"] == "torch"
    assert data["pytorch"] == {"parameters": 988, "buffers": 24}
    assert {"line": 3, "what": "notebook prompt In [..]: removed"} in data["repairs"]


def test_keras_text_keeps_the_keras_convention(tmp_path: Path) -> None:
    # conv (27 + 1)·16 = 448, BN 4·16 = 64 (moving statistics non-trainable), ...
    code, out = _run(tmp_path, "keras1_theano_ordering.txt")
    assert code == 0
    assert "Total params: 41,482" in out and "Non-trainable params: 32" in out
    assert "Buffers" not in out and "PyTorch" not in out
    assert "Read as:" in out and "read as C, H, W" in out


def test_repairs_are_listed_before_the_table(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "blog_tfkeras_curly.txt")
    assert code == 0
    head, table = out.split("Layer (type)", 1)
    assert head.startswith("Read with repairs")
    assert "  line 1: prose line removed: “Step 2: build the network." in head
    assert "  line 7: curly quotes read as '" in head
    assert "Total params: 59,178" in table


def test_clean_code_has_no_repair_section(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "two_models_notebook.txt", "--model", "8")
    assert code == 0 and not out.startswith("Read") and "Total params: 25,450" in out
