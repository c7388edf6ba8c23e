"""GIFT: numerical questions with per-wrong-value feedback (A4, E10).

Every text (title, question HTML, feedback) is escaped for ``\\ ~ = # { } :`` and newlines;
a specific wrong value is ``=%0%v:0#feedback`` (Moodle's own exporter writes that), the
catch-all ``~#feedback`` comes last. Parts other than ``total`` become one numerical
question per number (GIFT has no multi-blank numerical). The file is re-parsed with the
port in :mod:`generator.export.validate` and compared with what was meant before writing.

>>> from generator.problem import generate
>>> text = gift_text([generate(topic="basic", difficulty="easy", seed=42)])
>>> "=%100%1238:0#" in text
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from . import content as c
from .files import write_atomic
from .validate import ExportError, gift_escape, parse_gift

__all__ = ["export_gift", "gift_text"]


def _question(name: str, qhtml: str, correct: int, wrong: Sequence[c.Distractor],
              catch_all: str, comment: str) -> str:
    lines = [f"// [id:{comment}]",
             f"::{gift_escape(name)}::[html]{gift_escape(qhtml)}{{#",
             f"\t=%100%{c.cloze_number(correct)}:0#{gift_escape('Correct.')}"]
    lines += [f"\t=%0%{c.cloze_number(d.value)}:0#{gift_escape(html.escape(d.feedback, quote=False))}"
              for d in wrong]
    lines.append(f"\t~#{gift_escape(html.escape(catch_all, quote=False))}")
    lines.append("}")
    return "\n".join(lines)


def gift_items(problems: Sequence[c.ProblemLike]) -> list[tuple[str, str, int, list[c.Distractor], str]]:
    """(name, question HTML, correct, distractors, catch-all) per GIFT question."""
    out = []
    for p in problems:
        for t in c.targets(p):
            name = c.stable_id(p.id, t.key)
            qhtml = c.question_html(p, t.part)
            if t.key != t.part:
                qhtml += f"<p>{html.escape(t.label, quote=False)}:</p>"
            out.append((name, qhtml, t.value, c.distractors(p, t.key),
                        c.catch_all_feedback(t.part)))
    return out


def gift_text(problems: Sequence[c.ProblemLike]) -> str:
    """The GIFT file, validated by re-parsing (E3)."""
    blocks: list[str] = []
    items = gift_items(problems)
    category = None
    by_name = {}
    for p in problems:
        cat = f"{c.CATEGORY}/{p.topic}/{p.difficulty}"
        for name, qhtml, correct, wrong, catch_all in gift_items([p]):
            if cat != category:
                blocks.append(f"$CATEGORY: {cat}")
                category = cat
            blocks.append(_question(name, qhtml, correct, wrong, catch_all, name))
            by_name[name] = (qhtml, correct, wrong, catch_all)
    text = "\n\n".join(blocks) + "\n"
    parsed = parse_gift(text)
    if len(parsed) != len(items):
        raise ExportError(f"GIFT re-parse found {len(parsed)} questions, expected {len(items)}.")
    for q in parsed:
        qhtml, correct, wrong, catch_all = by_name[q.name]
        want = ([(1.0, str(correct), "Correct.")]
                + [(0.0, str(d.value), html.escape(d.feedback, quote=False)) for d in wrong]
                + [(0.0, "*", html.escape(catch_all, quote=False))])
        got = [(a.fraction, a.answer, a.feedback) for a in q.answers]
        if got != want or q.text != qhtml:
            raise ExportError(f"GIFT question {q.name} does not re-parse to what was meant.")
    return text


def export_gift(problems: list[c.ProblemLike], out: Path) -> list[Path]:
    """Write ``questions.gift`` into ``out``."""
    return [write_atomic(Path(out) / "questions.gift", gift_text(problems).encode("utf-8"))]
