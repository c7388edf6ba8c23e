"""GIFT: numerical questions with per-wrong-value feedback (A4, E10).

Every text (title, question HTML, feedback) is escaped for ``\\ ~ = # { } :`` and newlines;
a specific wrong value is ``=%0%v:0#feedback`` (Moodle's own exporter writes that), the
catch-all ``~#feedback`` comes last. Parts other than ``total`` become one numerical
question per number (GIFT has no multi-blank numerical), each restating the network. Each
kind of part has its own category (``$course$/top/cnnquiz/<topic>/<difficulty>/<part>``), so a
random question drawn from one is always the same kind of question. The file is
``questions.txt``: Moodle's GIFT importer takes text/plain only, the type of ``.txt``. The file is re-parsed with the
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
from .validate import ExportError, check_file_type, gift_escape, parse_gift

__all__ = ["NAME", "export_gift", "gift_text"]

NAME = "questions.txt"


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


def gift_items(problems: Sequence[c.ProblemLike]
               ) -> list[tuple[str, str, str, int, list[c.Distractor], str]]:
    """(category, name, question HTML, correct, distractors, catch-all) per GIFT question."""
    out = []
    for p in problems:
        for t in c.targets(p):
            name = c.stable_id(p.id, t.key)
            qhtml = c.question_html(p, t.part)
            if t.key != t.part:
                qhtml += f"<p>{html.escape(t.label, quote=False)}:</p>"
            out.append((c.category(p, c.shape_name([t.part])), name, qhtml, t.value,
                        c.distractors(p, t.key), c.catch_all_feedback(t.part)))
    return out


def gift_text(problems: Sequence[c.ProblemLike]) -> str:
    """The GIFT file, one block per category, validated by re-parsing (E3)."""
    items = gift_items(problems)
    by_category: dict[str, list[str]] = {}
    by_name = {}
    for cat, name, qhtml, correct, wrong, catch_all in items:
        by_category.setdefault(cat, []).append(
            _question(name, qhtml, correct, wrong, catch_all, name))
        by_name[name] = (cat, qhtml, correct, wrong, catch_all)
    blocks = [b for cat, qs in by_category.items() for b in (f"$CATEGORY: {cat}", *qs)]
    text = "\n\n".join(blocks) + "\n"
    parsed = parse_gift(text)
    if len(parsed) != len(items):
        raise ExportError(f"GIFT re-parse found {len(parsed)} questions, expected {len(items)}.")
    for q in parsed:
        cat, qhtml, correct, wrong, catch_all = by_name[q.name]
        want = ([(1.0, str(correct), "Correct.")]
                + [(0.0, str(d.value), html.escape(d.feedback, quote=False)) for d in wrong]
                + [(0.0, "*", html.escape(catch_all, quote=False))])
        got = [(a.fraction, a.answer, a.feedback) for a in q.answers]
        if got != want or q.text != qhtml or q.category != cat:
            raise ExportError(f"GIFT question {q.name} does not re-parse to what was meant.")
    return text


def export_gift(problems: list[c.ProblemLike], out: Path) -> list[Path]:
    """Write ``questions.txt`` into ``out`` (Moodle: Import -> GIFT format)."""
    check_file_type(NAME, "gift")
    return [write_atomic(Path(out) / NAME, gift_text(problems).encode("utf-8"))]
