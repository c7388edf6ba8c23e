"""Terminal output (issue 10.12): escape sequences, control characters and bidi overrides in
user-controlled strings (layer names, titles, ids, answers) never reach the terminal raw."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from cnnquiz.terminal import safe

EVIL = "c\x1b]0;pwned\x07\x1b[2J\u202eevil\u2066\r\x00\x9b"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069]")


def spec(tmp_path: Path, *, twice: bool = False) -> Path:
    layer = {"type": "conv2d", "filters": 2, "kernel": 3, "name": EVIL}
    data = {"title": EVIL, "input": {"shape": [8, 8], "channels": 1},
            "conventions": {"padding": "valid", "bias": "true"},
            "layers": [layer, layer] if twice else [layer]}
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("args", [
    ["solve"], ["solve", "--format", "json"], ["solve", "--format", "markdown"],
    ["lint"], ["lint", "--format", "json"],
    ["grade", "--answer", "5"], ["grade", "--answer", "5", "--format", "json"],
    ["grade", "--answer", "1\x1b[2J\u202e2"],
])
def test_no_raw_control_or_bidi_character_reaches_the_terminal(tmp_path: Path, args: list[str]
                                                               ) -> None:
    result = CliRunner().invoke(main, [args[0], str(spec(tmp_path)), *args[1:]])
    assert result.exit_code in (0, 1), result.output
    assert not RAW.search(result.output), repr(result.output[:300])
    if "json" in args:  # the escapes are JSON's own: the data read back is unchanged
        names: list[str] = []
        json.loads(result.stdout, object_hook=lambda d: names.extend(
            v for v in d.values() if isinstance(v, str) and "evil" in v) or d)
        assert all(EVIL in n for n in names)


def test_an_error_naming_a_hostile_layer_is_neutralised(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["solve", str(spec(tmp_path, twice=True))])
    assert result.exit_code == 2 and "names must be unique" in result.output
    assert not RAW.search(result.output) and "\\u202e" in result.output


def test_safe_keeps_text_tabs_and_newlines() -> None:
    assert safe("conv1\t3·3·1 = 9\nLaplace ⌊x⌋ José") == "conv1\t3·3·1 = 9\nLaplace ⌊x⌋ José"
