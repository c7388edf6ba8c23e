"""Grading per-layer parameter counts: values lined up with layers, each layer diagnosed.

Used by the ``per_layer`` part and by a ``total`` answered as a breakdown or a sum whose
summands are layers' counts. Values are matched to layers by label, by position, or by
value (a layer may be left out); the reading that leaves the fewest values unexplained wins,
and the simplest explanations of the whole answer (:mod:`grader.whole_answer`) have the
last word.
"""

from __future__ import annotations

import math

from generator.misconceptions import ORDER
from generator.parts import parse_part
from generator.render import num

from . import sentences
from .answers import align, as_int, by_label, match_free
from .diagnose import CONFIDENT, Finding
from .explain import finding_text, systematic
from .outcome import Diagnosis, Run
from .parse import BreakdownAnswer, ExpressionAnswer, NumberAnswer
from .totals import expr_text, summand_values, too_large, total_search
from .whole_answer import arbitrate

__all__ = ["breakdown_values", "grade_breakdown", "grade_expression", "grade_total_expression",
           "grade_values"]

PER_LAYER = parse_part("per_layer")
EXPECTED_BREAKDOWN = ("this part asks for one value per layer (e.g. 'conv1: 3000' on each "
                      "line).")


def breakdown_values(run: Run, a: BreakdownAnswer
                     ) -> tuple[list[str | None], list[int], list[str | None]] | None:
    """(labels, whole values, expression texts) of a breakdown; None after ``unreadable``."""
    key = run.prep.expected if isinstance(run.prep.expected, dict) else PER_LAYER.answer(
        run.prep.solution)
    exact_values = set(key.values())
    labels = [e.label for e in a.entries]
    values: list[int] = []
    terms: list[str | None] = []
    for e in a.entries:
        match e.value:
            # a rounded-looking form (7.27194e6) whose value is exactly a layer's count is exact
            case NumberAnswer(approximate=True, reading=reading, value=v) if (
                    as_int(v) not in exact_values):
                run.unreadable("approximate", f"{reading} looks rounded; exact per-layer counts "
                               "are needed.")
                return None
            case NumberAnswer(value=v) | ExpressionAnswer(value=v) if as_int(v) is not None:
                values.append(int(v))
                terms.append(expr_text(e.value.expr)
                             if isinstance(e.value, ExpressionAnswer) else None)
            case _:
                run.unreadable("not_integer", "every per-layer value must be a whole number.")
                return None
    return labels, values, terms


def grade_breakdown(run: Run, a: BreakdownAnswer) -> None:
    got = breakdown_values(run, a)
    if got is not None:
        labels, values, terms = got
        grade_values(run, values, labels, terms if any(terms) else None)


def grade_expression(run: Run, a: ExpressionAnswer) -> None:
    """A sum answered to the per-layer part: its summands are the layers' values."""
    v = as_int(a.value)
    if v is None:
        run.unreadable("not_integer", f"your expression gives {a.value}, not a whole number.")
        return
    values, texts = summand_values(a.expr)
    if len(values) < 2:
        run.unreadable("expected_breakdown", "this part asks for one value per layer.")
        return
    grade_values(run, values, [None] * len(values), texts, total=v)


def grade_total_expression(run: Run, a: ExpressionAnswer) -> None:
    """A sum expression for the total: line its summands up with layers when it can."""
    v = as_int(a.value)
    if v is None:
        run.unreadable("not_integer", f"your expression gives {a.value}, not a whole number.")
        return
    if v == run.prep.expected:
        run.given = v
        run.correct()
        return
    values, texts = summand_values(a.expr)
    if len(values) < 2:
        run.given = v
        total_search(run, v)
        return
    grade_values(run, values, [None] * len(values), texts, total=v)


def _exact(run: Run, labels: list[str | None], values: list[int]) -> bool:
    """Every layer given, by label or in order, and every value right: correct, no search."""
    names = run.prep.names
    idx = by_label(labels, names) if all(lab is not None for lab in labels) else None
    if idx is None and len(values) == len(names):
        idx = list(range(len(names)))
    if idx is None or len(idx) != len(names):
        return False
    key = PER_LAYER.answer(run.prep.solution)
    given = {names[i]: v for i, v in zip(idx, values, strict=True)}
    if given != key:
        return False
    run.correct()
    run.findings += [{"layer": n, "verdict": "correct", "misconceptions": [], "got": given[n],
                      **({"expected": key[n]} if run.show else {})} for n in names]
    return True


def _readings(run: Run, labels: list[str | None], values: list[int]) -> list[dict[int, int]]:
    """The ways the values can be lined up with layers, likeliest first (maybe none).

    By label when every value has one; otherwise in order over every layer, over the
    layers with weights, over those with parameters, in order by value (a layer may be
    left out), or by value in any order (pooling given weights, a layer skipped).
    """
    names = run.prep.names
    d = run.prep.diagnoser
    if all(lab is not None for lab in labels):
        idx = by_label(labels, names)
        if idx is not None:
            return [dict(zip(idx, values, strict=True))]
    base = d.base.params
    weighted = [i for i, n in enumerate(d.engine.nodes) if n.layer.has_weights]
    nonzero = [i for i, p in enumerate(base) if p]
    options: list[dict[int, int]] = []
    for layers in (list(range(len(names))), weighted, nonzero):
        if len(values) == len(layers):
            options.append(dict(zip(layers, values, strict=True)))
    plausible = d.plausible
    every = list(range(len(names)))  # any layer may carry a value (pooling given weights)
    for late in (True, False):  # of equally good alignments, both ends
        got = align(values, every, plausible, late=late)
        if got is not None:
            options.append(dict(zip(got, values, strict=True)))
    free = match_free(values, every, plausible, dict(enumerate(base)), set(weighted))
    if free is not None:
        options.append(free)
    unique: list[dict[int, int]] = []
    for m in options:
        if m not in unique:
            unique.append(m)
    return unique


def _story(findings: list[Finding], mapping: dict[int, int], base: list[int],
           ) -> tuple[int, int, int, int, float]:
    """How simple a reading's story is: unexplained layers, values taken out of the order
    they were written in, distinct mistakes, layers off, then the mistakes' weight.

    ``mapping`` lists layers in the order of the values (a sum is written layer by layer:
    a reading that needs the student to have swapped terms is the less likely one).
    """
    unknown = sum(1 for f in findings if f.verdict == "unknown")
    mistakes = {m for f in findings if f.verdict in ("misconception", "ambiguous")
                for m in f.ids}
    off = sum(1 for i in range(len(base)) if mapping.get(i, 0) != base[i])
    order = list(mapping)
    swapped = sum(1 for a in range(len(order)) for b in range(a + 1, len(order))
                  if order[a] > order[b])
    weight = math.prod(f.weight for f in findings if f.verdict in ("misconception", "ambiguous"))
    return unknown, swapped, len(mistakes), off, -weight


def _best_reading(run: Run, labels: list[str | None], values: list[int]
                  ) -> tuple[dict[int, int], list[Finding]] | None:
    """The reading whose diagnosis is simplest (fewest unexplained layers, fewest values out
    of order, fewest distinct mistakes, fewest layers off their value, the likelier
    mistakes); the likelier reading on ties."""
    d = run.prep.diagnoser
    base = list(d.base.params)
    best: tuple[tuple[int, int, int, int, float], dict[int, int], list[Finding]] | None = None
    labelled = all(lab is not None for lab in labels)
    for m in _readings(run, labels, values):
        findings = d.local({i: m.get(i, 0) for i in range(len(base))})
        score = _story(findings, {} if labelled else m, base)
        if labelled:  # labels fix the layers: order says nothing
            score = (score[0], 0, *score[2:])
        if best is None or score < best[0]:
            best = (score, m, findings)
    return None if best is None else (best[1], best[2])


def grade_values(run: Run, values: list[int], labels: list[str | None],
                 terms: list[str | None] | None, total: int | None = None) -> None:
    """Grade values given per layer (a breakdown, or a sum's summands)."""
    p = run.prep
    whole_part = p.spec.kind.name == "total"
    total = sum(values) if total is None else total
    run.given = total
    if _exact(run, labels, values):
        return
    d = p.diagnoser
    reading = _best_reading(run, labels, values)
    if reading is None:
        if not whole_part:
            run.unreadable("unmatched", "give one value per layer, in layer order or labelled "
                           "with the layer names.")
            return
        run.notes.append("Your values could not be matched to the layers one by one; "
                         "graded as a total.")
        if total == p.expected:
            run.correct()
        else:
            total_search(run, total)
        return
    mapping, findings = reading
    labelled = all(lab is not None for lab in labels) and by_label(labels, p.names) is not None
    fixed = mapping if labelled else None
    whole = arbitrate(d, findings, values, fixed)
    if whole is not None:  # the whole answer favours other explanations (or a hedge)
        findings, mapping = whole
        if terms and fixed is None:  # a sum's terms follow the layers they now read as
            terms = [t for v, t in zip(values, terms, strict=True) if v]
    # a partial list: each layer with parameters that got no value is said to be left out,
    # on its own line (not "you wrote 0"), or in a note when its 0 reads as carried forward
    left = {i for i in range(len(p.names)) if i not in mapping and d.base.params[i]}
    unlined = [p.names[f.layer] for f in findings
               if f.layer in left and f.verdict in ("correct", "carried_forward")]
    if unlined:
        run.notes.append(sentences.left_out(unlined).capitalize() + ".")
    term_of: dict[int, str | None] = {}
    if terms:
        term_of = {i: t for (i, _), t in zip(mapping.items(), terms, strict=False)}
    own = [f for f in findings if f.verdict in ("misconception", "ambiguous", "unknown")]
    exact = not own and all(f.verdict == "correct" for f in findings)
    if whole_part and total == p.expected and not own:
        exact = True
    if exact:
        run.correct()
    run.headline = run.headline or (f"Not quite: your layers add up to {num(total)}."
                                    if total != p.expected or own else "Not quite.")
    for f in findings:
        t = finding_text(d, f, show=run.show, term=term_of.get(f.layer),
                         given=f.layer not in left)
        run.findings.append({"layer": t["layer"], "verdict": f.verdict,
                             "misconceptions": list(f.ids), "got": f.got,
                             **({"expected": f.expected} if run.show else {})})
        if f.verdict != "correct":
            run.lines.append(t)
    for s in systematic(d, findings):
        run.line(s, kind="systematic")
    if exact:
        return
    diag = [f for f in own if f.verdict != "unknown"]
    by_ids: dict[tuple[str, ...], list[str]] = {}
    sure: dict[tuple[str, ...], bool] = {}
    for f in diag:
        ok = f.verdict == "misconception" and f.posterior >= CONFIDENT
        # an ambiguous layer offers each of its options (none of them recorded)
        for option in f.options if f.verdict == "ambiguous" else f.options[:1]:
            if not option:  # read as carried forward by another explanation: no cause here
                continue
            ids = tuple(sorted({s.mid for s in option}, key=ORDER.__getitem__))
            by_ids.setdefault(ids, []).append(p.names[f.layer])
            sure[ids] = sure.get(ids, True) and ok
    for ids, layers in by_ids.items():
        expl = " ".join(ln["text"] for ln in run.lines if ln["layer"] in layers)
        run.diagnoses.append(Diagnosis(ids, tuple(layers), total, expl, sure[ids]))
    run.ambiguous = any(f.verdict == "ambiguous" for f in own)
    run.confident = (bool(diag) and not run.ambiguous and len(diag) == len(own)
                     and all(f.posterior >= CONFIDENT for f in diag))
    if len(own) == 1 and diag and not run.ambiguous:
        run.score = run.policy.per_layer_single_slip
    else:
        run.score = run.policy.unexplained
    if any(f.verdict == "unknown" for f in own):
        run.advice = "Recompute the flagged layers step by step: output shape, then weights."
    if run.prep.diagnoser.too_large and own:
        too_large(run)
