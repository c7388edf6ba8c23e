"""GIFT: numerical questions with per-wrong-value feedback (A4, E10); multiple choice.

Every text (title, question HTML, feedback) is escaped for ``\\ ~ = # { } :`` and newlines;
a specific wrong value is ``=%0%v:0#feedback`` (Moodle's own exporter writes that), the
catch-all ``~#feedback`` comes last. Parts other than ``total`` become one numerical
question per number (GIFT has no multi-blank numerical), each restating the network. Each
kind of part has its own category (``$course$/top/cnnquiz/<topic>/<difficulty>/<part>``), so a
random question drawn from one is always the same kind of question. A multiple-choice total
(``--choices N``) is ``{=right#Correct. ~wrong#feedback …}``, every text escaped alike, in its
own category ``…/total-choice``; GIFT cannot say "shuffle": the import takes the site's
default (qformat_default ``defaultquestion()``: the quiz setting ``shuffleanswers``, on unless
changed). The file is ``questions.txt``: Moodle's GIFT importer takes text/plain only, the
type of ``.txt``. The file is re-parsed with the port in :mod:`generator.export.validate`
and compared with what was meant before writing.

>>> from generator.problem import generate
>>> text = gift_text([generate(topic="basic", difficulty="easy", seed=42)])
>>> "=%100%1238:0#" in text
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import content as c
from .files import write_atomic
from .validate import ExportError, check_file_type, gift_escape, parse_gift

__all__ = ["NAME", "export_gift", "gift_text"]

NAME = "questions.txt"


@dataclass(frozen=True)
class GiftItem:
    """One GIFT question: a numerical one (``correct``, ``wrong``, ``catch_all``) or, with
    ``options``, a multiple-choice one."""

    category: str
    name: str
    qhtml: str
    correct: int
    wrong: list[c.Distractor]
    catch_all: str
    options: list[c.Option]

    def text(self) -> str:
        head = [f"// [id:{self.name}]",
                f"::{gift_escape(self.name)}::[html]{gift_escape(self.qhtml)}{{" + ("" if self.options else "#")]
        if self.options:
            body = [f"\t{'=' if o.correct else '~'}{gift_escape(html.escape(o.text, quote=False))}"
                    f"#{gift_escape(html.escape(o.feedback, quote=False))}" for o in self.options]
        else:
            body = [f"\t=%100%{c.cloze_number(self.correct)}:0#{gift_escape('Correct.')}"]
            body += [f"\t=%0%{c.cloze_number(d.value)}:0#"
                     f"{gift_escape(html.escape(d.feedback, quote=False))}" for d in self.wrong]
            body.append(f"\t~#{gift_escape(html.escape(self.catch_all, quote=False))}")
        return "\n".join([*head, *body, "}"])

    def meant(self) -> list[tuple[float, str, str]]:
        """(fraction, answer, feedback) as the importer should read them back."""
        if self.options:
            return [(1.0 if o.correct else 0.0, html.escape(o.text, quote=False),
                     html.escape(o.feedback, quote=False)) for o in self.options]
        return ([(1.0, str(self.correct), "Correct.")]
                + [(0.0, str(d.value), html.escape(d.feedback, quote=False)) for d in self.wrong]
                + [(0.0, "*", html.escape(self.catch_all, quote=False))])


def gift_items(problems: Sequence[c.ProblemLike]) -> list[GiftItem]:
    """One GIFT question per number asked; a multiple-choice total is one choice question."""
    out = []
    for p in problems:
        for t in c.targets(p):
            name = c.stable_id(p.id, t.key)
            opts = c.options(p, t.part) if t.key == t.part else []
            qhtml = c.question_html(p, t.part, choose=bool(opts))
            if t.key != t.part:
                qhtml += f"<p>{html.escape(t.label, quote=False)}:</p>"
            shape = c.CHOICE_SHAPE if opts else c.shape_name([t.part])
            out.append(GiftItem(c.category(p, shape), name, qhtml, t.value,
                                [] if opts else c.distractors(p, t.key),
                                c.catch_all_feedback(t.part), opts))
    return out


def gift_text(problems: Sequence[c.ProblemLike]) -> str:
    """The GIFT file, one block per category, validated by re-parsing (E3)."""
    items = gift_items(problems)
    by_category: dict[str, list[str]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item.text())
    by_name = {item.name: item for item in items}
    blocks = [b for cat, qs in by_category.items() for b in (f"$CATEGORY: {cat}", *qs)]
    text = "\n\n".join(blocks) + "\n"
    parsed = parse_gift(text)
    if len(parsed) != len(items):
        raise ExportError(f"GIFT re-parse found {len(parsed)} questions, expected {len(items)}.")
    for q in parsed:
        item = by_name[q.name]
        got = [(a.fraction, a.answer, a.feedback) for a in q.answers]
        kind = "multichoice" if item.options else "numerical"
        if (got != item.meant() or q.text != item.qhtml or q.category != item.category
                or q.kind != kind or not q.single):
            raise ExportError(f"GIFT question {q.name} does not re-parse to what was meant.")
    return text


def export_gift(problems: list[c.ProblemLike], out: Path) -> list[Path]:
    """Write ``questions.txt`` into ``out`` (Moodle: Import -> GIFT format)."""
    check_file_type(NAME, "gift")
    return [write_atomic(Path(out) / NAME, gift_text(problems).encode("utf-8"))]
