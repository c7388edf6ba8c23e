"""Feedback sentences from diagnoses: built here as plain strings, formatted by templates.

Every sentence comes from the catalogue's data (title, hint, formula, step) and the
network's own derivations; nothing here knows a particular misconception. With
``show=False`` (exam mode) no correct value is written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from generator.layers import fmt_shape
from generator.misconceptions import MISCONCEPTIONS
from generator.render import num

from .answers import literals
from .diagnose import Diagnoser, Finding
from .sentences import NOT_GIVEN, advice, entry_at, layer_name, left_out, names, site_layers

__all__ = ["finding_text", "layer_formula", "systematic"]


def _name(d: Diagnoser, i: int) -> str:
    return layer_name(d, i)


def layer_formula(d: Diagnoser, i: int, in_shape: tuple[int, ...]) -> tuple[str, str, int] | None:
    """(formula, substitution, value) of layer i's parameter count on an input shape."""
    key = (i, in_shape)
    if key not in d.formulas:
        d.formulas[key] = _layer_formula(d, i, in_shape)
    return d.formulas[key]


def _layer_formula(d: Diagnoser, i: int, in_shape: tuple[int, ...]) -> tuple[str, str, int] | None:
    layer = d.engine.nodes[i].layer
    try:
        steps = layer.derivations(in_shape)
    except Exception:  # noqa: BLE001 - an impossible student shape has no formula
        return None
    params = [s for s in steps if "params" in s.quantity and "non-trainable" not in s.quantity]
    if not params:
        return None
    return params[0].formula, params[0].substitution, params[0].value


def factor_note(d: Diagnoser, f: Finding, term: str | None) -> str:
    """Compare a term's literals with the formula's: 'uses 1 where the formula has C_in = 4'."""
    if term is None or len(literals(term)) < 2:
        return ""
    ref = layer_formula(d, f.layer, f.student_in or f.in_shape)
    if ref is None:
        return ""
    formula, subst, _ = ref
    symbols = _symbol_values(formula, subst)
    mine, theirs = Counter(literals(term)), Counter(literals(subst))
    missing, extra = theirs - mine, mine - theirs
    if not missing and not extra:
        return ""
    bits = []
    miss = sorted(missing.elements())
    ext = sorted(extra.elements())
    for k, x in enumerate(miss):
        names = [f"{n} = {x}" for n, v in symbols if v == x]
        if x == 1 and "1" in re.findall(r"\b1\b", formula):
            names.insert(0, "the + 1")
        label = " or ".join(dict.fromkeys(names)) if names else str(x)
        if k < len(ext):
            bits.append(f"uses {ext[k]} where the formula has {label}")
        else:
            bits.append(f"leaves out {label}")
    for x in ext[len(miss):]:
        bits.append(f"has an extra {x}")
    return f"your term for {d.engine.names[f.layer]}, {term}, " + "; ".join(bits)


def _symbol_values(formula: str, subst: str) -> list[tuple[str, int]]:
    """Pair the formula's symbols with the substituted numbers, token by token."""
    ftoks = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d+", formula)
    stoks = re.findall(r"\d+", subst)
    if len(ftoks) != len(stoks):
        return []
    return [(f, int(s)) for f, s in zip(ftoks, stoks, strict=True) if not f.isdigit()]


def finding_text(d: Diagnoser, f: Finding, *, show: bool, term: str | None = None,
                 given: bool = True) -> dict[str, str]:
    """A per-layer finding as strings for the templates (``given`` False: the answer has no
    value for this layer, which is judged as 0 but said to be left out)."""
    name = d.engine.names[f.layer]
    ref = layer_formula(d, f.layer, f.student_in or f.in_shape)
    formula = f"{ref[0]} = {ref[1]}" if ref else ""
    should = num(f.expected) if show else ""
    own = f.student_in != f.in_shape
    on_input = f" on your input {fmt_shape(f.student_in)}" if own else ""
    if f.verdict == "correct":
        return {"layer": name, "kind": "ok", "step": "", "title": "",
                "text": f"{name}: {num(f.got)} is right.", "formula": "", "should": ""}
    if f.verdict == "carried_forward":
        return {"layer": name, "kind": "carried", "step": "", "title": "",
                "text": f"{name}: {num(f.got)} follows correctly from your earlier result "
                        f"(input {fmt_shape(f.student_in)}): error carried forward, not a new "
                        "mistake.", "formula": formula, "should": ""}
    if f.verdict == "unknown":
        what = (left_out([name], named=False) if not given
                else f"you wrote {num(f.got)}, which no common mistake explains{on_input}; "
                     "recompute it step by step")
        return {"layer": name, "kind": "unknown", "step": "", "title": "",
                "text": f"{name}: {what}"
                        + (f" ({formula})" if formula and show else "") + ".",
                "formula": formula, "should": should}
    opts = f.options
    first = opts[0]
    step_list = list(dict.fromkeys(str(MISCONCEPTIONS[s.mid].step) for s in first))
    steps = ", ".join(step_list)
    titles = names([MISCONCEPTIONS[s.mid].title for s in first])
    hints = " ".join(advice(entry_at(d, s), site_layers(d, s)) for s in first)
    note = factor_note(d, f, term)
    did = f"you wrote {num(f.got)}" if given else NOT_GIVEN
    if note:
        did += f" ({note})"
    if f.verdict == "ambiguous":
        alts = "; or ".join(_alternatives(d, f))
        text = (f"{name}: {did}. This fits more than one mistake: perhaps {alts}. "
                f"Check the {names(step_list)} step{'s' if len(step_list) > 1 else ''}.")
    else:
        where = ""
        ups = [s for s in first if s.layers[0] != f.layer]
        if ups:
            where = " (in " + names([_name(d, s.layers[0]) for s in ups]) + ", seen here)"
        text = f"{name}: {did}: {titles}{where}. {hints}"
    if show:
        text += f" The rule{on_input} gives {should}."
    return {"layer": name, "kind": f.verdict, "step": steps, "title": titles, "text": text,
            "formula": " / ".join(entry_at(d, s).formula for s in first), "should": should}


def _alternatives(d: Diagnoser, f: Finding) -> list[str]:
    """Each option of an ambiguous layer once, with where a mistake made elsewhere was made:
    'the plus one of the output size left out (in conv1 or pool1)'."""
    where: dict[tuple[str, ...], list[str]] = {}
    for o in f.options:
        phrase = tuple(MISCONCEPTIONS[s.mid].title for s in o)
        ups = where.setdefault(phrase, [])
        ups += [_name(d, s.layers[0]) for s in o if s.layers[0] != f.layer
                and _name(d, s.layers[0]) not in ups]
    return [names(list(phrase)) + (f" (in {names(ups).replace(' and ', ' or ')})" if ups else "")
            if phrase else CARRIED for phrase, ups in where.items()]


#: an ambiguous layer's empty option: another explanation of the whole answer reads this
#: layer as following from the student's earlier values (grader/whole_answer.py)
CARRIED = "it follows from your earlier values (an error carried forward)"


def systematic(d: Diagnoser, findings: Sequence[Finding]) -> list[str]:
    """One sentence per misconception seen in two or more layers."""
    seen: dict[str, list[str]] = {}
    for f in findings:
        if f.verdict == "misconception":
            for s in f.options[0]:
                seen.setdefault(s.mid, []).append(d.engine.names[f.layer])
    return [f"Systematic: {MISCONCEPTIONS[m].title} in {names(where)}."
            for m, where in seen.items() if len(where) > 1]
