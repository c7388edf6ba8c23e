"""The worked steps as Typst math (generator/typst_math.py): golden conversions of every
formula SymPy ships printed, every step of every topic converted, and the math compiled by
the real Typst compiler."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from generator.problem import DIFFICULTIES, generate
from generator.render import solution_context
from generator.topics import CLASSICS, TOPICS, styles_for
from generator.typst_math import step_math, typst_math

TABLE = Path(__file__).parent.parent / "generator" / "formula_texts.json"
STEPS = [
    "H_out = ⌊(H + 2·P_h − k_h)/s_h⌋ + 1 = ⌊(32 + 2·1 − 5)/2⌋ + 1 = 15",
    "W_out = ⌈W/s_w⌉ = ⌈17/2⌉ = 9",
    "H_out = -2·P_h + k_h + s_h·(H − 1) = -2·1 + 3 + 2·(3 − 1) = 5",
    "params = (k_h·k_w·(C_in/g) + 1)·C_out = (3·3·(16/4) + 1)·32 = 1184",
    "non-trainable params = 2·C = 2·16 = 32",
    "n = H·W·C = 5·5·16 = 400",
    "1,344 + 0 + 17,320 = 18,664",
]


def _formulas() -> list[str]:
    found: set[str] = set()

    def walk(x: object) -> None:
        if isinstance(x, list) and len(x) == 4 and all(isinstance(v, str) for v in x[:2]):
            found.add(str(x[1]))
        elif isinstance(x, list | dict):
            for v in x.values() if isinstance(x, dict) else x:
                walk(v)

    walk(json.loads(TABLE.read_text(encoding="utf-8")))
    return sorted(found)


def test_golden_conversions(golden: object) -> None:
    lines = [f"{f}\n    {typst_math(f)}" for f in _formulas()]
    lines += [f"{s}\n    {step_math(s)}" for s in STEPS]
    golden("typst_math.txt", "\n".join(lines) + "\n")  # type: ignore[operator]


@pytest.mark.parametrize("text", ["a; b", "#import", "$x$", "x\\y", '"quoted"', "a[b]"])
def test_anything_outside_the_notation_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a formula"):
        typst_math(text)


def test_every_step_of_every_topic_converts() -> None:
    n = 0
    for topic in [*TOPICS, *CLASSICS]:
        for difficulty in DIFFICULTIES:
            p = generate(topic=topic, difficulty=difficulty, seed=5,
                         style=styles_for(topic)[0])
            ctx = solution_context(p.solution())
            for row in ctx["rows"]:
                for st in row["steps"]:
                    assert step_math(st).startswith("$"), st
                    n += 1
            typst_math(f"{ctx['sum_line']} = {ctx['total']}")
    assert n > 300


def test_the_math_compiles_and_reads_back() -> None:
    import typst
    from pypdf import PdfReader

    body = "\n\n".join(f"- {typst_math(f)}" for f in _formulas())
    body += "\n\n" + "\n\n".join(f"- {step_math(s)}" for s in STEPS)
    pdf = bytes(typst.compile(body.encode("utf-8")))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for number in ("18,664", "1184", "400"):
        assert number in text
    assert "params" in text and "non-trainable params" in text
