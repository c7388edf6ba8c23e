"""Pasted code as found (issue 13): a corpus of damaged snippets, written for these tests in
the style of blogs, forums and notebooks, each read as pasted and counted exactly.

``tests/pasted/counts.csv`` lists every snippet with the input shape and model to ask for,
the right answer (worked out in tests/pasted/README.md and checked against PyTorch or
Keras on the clean form in tests/frameworks/test_pasted_frameworks.py) and what the
repair log must say. Nothing is executed: the snippets are only read as text and ast.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.importers import read_code
from generator.importers.repair import repair
from generator.network import solve
from generator.spec import load_spec

CORPUS = Path(__file__).resolve().parent / "pasted"
with (CORPUS / "counts.csv").open(encoding="utf-8") as table:
    ROWS = list(csv.DictReader(table))


def _shape(text: str) -> tuple[int, ...] | None:
    return tuple(int(p) for p in text.split("x")) if text else None


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['file']}-{r['model']}" for r in ROWS])
def test_pasted_snippet_is_read_and_counted(row: dict[str, str]) -> None:
    source = (CORPUS / row["file"]).read_text(encoding="utf-8")
    code = read_code(source, input_shape=_shape(row["input_shape"]), model=row["model"] or None)
    assert solve(load_spec(code.spec)).answer == int(row["answer"])
    log = " / ".join(what for _, what in code.repairs + code.notes)
    for fragment in filter(None, row["must_report"].split("|")):
        assert fragment in log, log
    assert all(1 <= line <= source.count("\n") + 1 for line, _ in code.repairs)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['file']}-{r['model']}" for r in ROWS])
def test_read_bare_a_snippet_is_counted_right_or_refused(row: dict[str, str]) -> None:
    """Without the table's --input-shape/--model: the right count or a refusal, never a
    wrong count (a PyTorch input size is inferred; several models are never chosen)."""
    source = (CORPUS / row["file"]).read_text(encoding="utf-8")
    try:
        code = read_code(source)
    except ConfigError as e:
        assert "--input-shape" in str(e) or "--model" in str(e), str(e)
        return
    assert solve(load_spec(code.spec)).answer == int(row["answer"])


def test_every_snippet_is_in_the_table() -> None:
    assert {p.name for p in CORPUS.glob("*.txt")} == {r["file"] for r in ROWS}


def test_repairs_keep_the_line_count() -> None:
    for path in CORPUS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert repair(text).text.count("\n") == text.count("\n"), path.name


@pytest.mark.parametrize(("source", "fragments"), [
    # two readings: refused with the line and both
    ("import keras\nmodel = keras.Model(inputs, Dense(10)(x)\n",
     ["line 2:", "two places", "keras.Model(inputs, Dense(10))(x)",
      "keras.Model(inputs, Dense(10)(x))"]),
    ("import torch.nn as nn\nIMG = 28×28\n", ["line 2:", "two ways", "shape", "product"]),
    ("import torch.nn as nn\nif a:\n\tif b:\n\t\tx = 1\n        y = 2\n",
     ["tabs and spaces are mixed", "two different programs"]),
    (">>> from keras.models import Sequential\n>>> from keras.layers import Dense\n"
     ">>> model = Sequential()\n>>> model.add(Dense(4, input_dim=3))\nmodel.add(Dense(2))\n",
     ["line 5:", "no >>> prompt", "could be either"]),
    ("In [1]: import torch.nn as nn\nIn [2]: net = nn.Sequential(nn.Linear(4, 2))\n"
     "Out[2]: Sequential()\nnet2 = nn.Sequential(nn.Linear(4, 3))\n",
     ["line 4:", "follows an Out[..]: line", "could be either"]),
    ("import torch.nn as nn\nclass Net(nn.Module):\ndef forward(self, x):\nif self.bn:\n"
     "x = self.bn(x)\nreturn x\n", ["line 4:", "indentation", "inside it or after it"]),
])
def test_two_readings_are_refused(source: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        read_code(source, input_shape=(4,))
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize("source", [
    # code inside strings and comments stays there (only an all-commented paste is undone)
    'import torch.nn as nn\nnet = nn.Sequential(nn.Linear(4, 2))\n# net = nn.Sequential(nn.Linear(4, 9))\n',
    'import torch.nn as nn\nDOC = """\n>>> net = nn.Sequential(nn.Linear(4, 9))\n"""\nnet = nn.Sequential(nn.Linear(4, 2))\n',
    "import torch.nn as nn\nnet = nn.Sequential(nn.Linear(4, 2))  # ’curly’ in a comment\n",
])
def test_strings_and_comments_are_not_turned_into_code(source: str) -> None:
    code = read_code(source, input_shape=(4,))
    assert solve(load_spec(code.spec)).answer == 10  # (4 + 1)·2
    assert repair(source).text == source


def test_a_damaged_code_line_is_not_taken_for_prose() -> None:
    source = ("import torch.nn as nn\nnet = nn.Sequential(nn.Linear(4, 2) nn.ReLU() this and that)\n")
    with pytest.raises(ConfigError, match="not valid Python"):
        read_code(source, input_shape=(4,))


def test_the_repair_step_executes_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    hostile = (f"# import os; os.system('touch {marker}')\n"
               f"# open({str(marker)!r}, 'w')\n"
               f"In [1]: __import__('os').system('touch {marker}')\n"
               f">>> open({str(marker)!r}, 'w')\n"
               f"print open({str(marker)!r}, 'w')\n"
               f"!touch {marker}\n%run {marker}\n")
    repaired = repair(hostile)
    for text in (hostile, repaired.text):
        with pytest.raises(ConfigError):
            read_code(text)
    assert not marker.exists()


@pytest.mark.parametrize(("name", "fragments"), [
    ("keras_unfoldable_shape.txt", ["line 8:", "input_shape is x_train.shape[1:] in the call on line 14",
                                    "--input-shape"]),
    ("keras_param_input_shape.txt", ["line 6:", "a parameter of build_model() (line 5)",
                                     "--input-shape"]),
])
def test_an_unreadable_input_shape_asks_for_input_shape(name: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        read_code((CORPUS / name).read_text(encoding="utf-8"))
    for fragment in fragments:
        assert fragment in str(info.value)


def test_operators_starting_a_continuation_line_stay_code() -> None:
    source = ("import torch.nn as nn\nn = (9\n     % 4)\nok = (n\n      != 2)\n"
              "net = nn.Sequential(nn.Linear(4, n\n                               * 2))\n")
    assert repair(source).text == source
    assert solve(load_spec(read_code(source, input_shape=(4,)).spec)).answer == 10  # (4+1)·2
