"""Nothing pasted is executed, the repair step included (issue 13, checks): while pasted code
is repaired and read, an audit hook refuses any exec, process start or file write; and a
repair never turns a string or comment into code: every name the repaired code uses was
already code in the paste (outside strings and comments), except the two repairs that say
they add or uncomment something.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.importers import read_code
from generator.importers.repair import repair
from generator.importers.scan import code_mask

CORPUS = Path(__file__).resolve().parent / "pasted"
_ARMED: list[str] = []
_FORBIDDEN = ("exec", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen",
              "os.fork", "ctypes.", "builtins.input", "pty.spawn")


def _hook(event: str, args: tuple[object, ...]) -> None:
    if not _ARMED:
        return
    if event.startswith(_FORBIDDEN):
        _ARMED.append(event)
        raise RuntimeError(f"pasted code was run: {event}")
    if event == "open" and len(args) > 1 and isinstance(args[1], str) and set(args[1]) & set(
            "wax+"):
        _ARMED.append(f"open {args[0]!r} {args[1]}")
        raise RuntimeError(f"a file was written while reading a paste: {args[0]!r}")


sys.addaudithook(_hook)  # cannot be removed; inert unless armed


@contextmanager
def _armed() -> Iterator[None]:
    _ARMED[:] = ["armed"]
    try:
        yield
    finally:
        seen = _ARMED[1:]
        _ARMED.clear()
        assert not seen, seen


def _hostile(marker: Path) -> list[str]:
    """Damaged pastes whose comments, strings, prompts and output hold code that acts."""
    m = str(marker)
    return [
        f"Here is the code:\n```python\nimport os\n# os.system('touch {m}')\n"
        "import torch.nn as nn\nnet = nn.Sequential(nn.Linear(4, 2)\n```\n",
        f">>> import torch.nn as nn\n>>> net = nn.Sequential(nn.Linear(4, 2))\n"
        f"__import__('os').system('touch {m}')\n",
        f"In [1]: import torch.nn as nn\nIn [2]: !touch {m}\nIn [3]: %run {m}\n"
        "In [4]: net = nn.Sequential(nn.Linear(4, 2))\nOut[4]: exec('open(1)')\n",
        f"import torch.nn as nn\nDOC = '''\nopen({m!r}, 'w')\n'''\n"
        "net = nn.Sequential(nn.Linear(4, 2))  # ’exec(“x”)’\n",
        f"print open({m!r}, 'w')\nimport torch.nn as nn\nnet = nn.Sequential(nn.Linear(4, 2))\n",
        f"import torch.nn as nn\nnet = nn.Sequential(\n    nn.Linear(4, 2)  # , eval('1')\n"
        f"    nn.ReLU()\n    # nn.Linear(2, __import__('os').system('touch {m}'))\n)\n",
        f"import torch.nn as nn\nnet = nn.Sequential(nn.Linear(4, 2))\nTraceback (most recent "
        f"call last):\n  File \"x.py\", line 1, in <module>\n    os.system('touch {m}')\n"
        "RuntimeError: boom\n",
    ]


def _code_names(text: str) -> set[str]:
    """Identifiers in the code characters of a text (strings and comments left out)."""
    state = None
    out: set[str] = set()
    for line in text.split("\n"):
        mask, state = code_mask(line, state)
        code = "".join(ch if m == "c" else " " for ch, m in zip(line, mask, strict=False))
        out |= set(re.findall(r"[A-Za-z_]\w*", code))
    return out


def _ast_names(text: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.update((node.asname or node.name).split("."))
            names.update(node.name.split("."))
    return names


def test_reading_damaged_hostile_pastes_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for source in _hostile(marker):
        with _armed():
            try:
                read_code(source, input_shape=(4,))
            except ConfigError:
                pass  # a refusal is fine; running anything is not
    assert not marker.exists()


@pytest.mark.parametrize("index", range(7))
def test_a_repair_turns_no_string_or_comment_into_code(tmp_path: Path, index: int) -> None:
    source = _hostile(tmp_path / "ran")[index]
    with _armed():
        try:
            fixed = repair(source)
        except ConfigError:
            return
    try:
        used = _ast_names(fixed.text)
    except SyntaxError:
        return  # not code at all: the importer refuses it
    assert used <= _code_names(source), used - _code_names(source)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name)
def test_corpus_repairs_add_no_names_but_the_ones_they_say(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    with _armed():
        fixed = repair(source)
    said = " ".join(what for _, what in fixed.repairs)
    if "every line was behind '#'" in said:  # undone as a whole, and said
        return
    try:
        used = _ast_names(fixed.text)
    except SyntaxError:
        return
    # HTML entities become the characters they stand for; names are what they always were
    extra = used - _code_names(source) - {"quot", "amp", "lt", "gt", "apos"}
    assert not extra, (extra, said)


@pytest.mark.parametrize("source", [
    "IMG_SIZE = 8\nCMD = 'img_size'\nshape = (img_size, Img_Size, 3)  # img_size\n",
    "Exec_Fn = 1\nx = exec_fn  # 'exec_fn()'\nexec_FN = '''exec_fn'''\n",
    "a1 = 2\nfor k in range(2):\n    K.image_data_format()\n    F.relu(A1)\n",
])
def test_a_case_typo_is_read_as_a_name_of_the_code_only(source: str) -> None:
    from generator.importers.repair_names import case_typos

    fixed, repairs = case_typos(source, ast.parse(source))
    assert _ast_names(fixed) <= _code_names(source)
    assert [line.split("#")[0].count("'") for line in fixed.split("\n")] == [
        line.split("#")[0].count("'") for line in source.split("\n")]  # strings untouched
    assert all("differs only in case" in what for _, what in repairs)
    assert "K.image_data_format" in fixed or "K." not in source  # module-like names stay
