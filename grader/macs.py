"""Grading multiply-accumulates: ``macs:LAYER`` (one count) and ``macs`` (one per layer).

A wrong count is compared with the MAC misconceptions of
:data:`generator.misconceptions.MAC_MISCONCEPTIONS` at that layer (bias additions counted,
output size taken as input size, kernel area or channel factor dropped).
"""

from __future__ import annotations

from generator.macs import mac_factors
from generator.misconceptions import MAC_MISCONCEPTIONS, mac_values
from generator.render import num

from . import sentences
from .answers import as_int, by_label
from .outcome import Diagnosis, Run

__all__ = ["grade_mac_count", "grade_mac_layers"]

FORMULA = "MACs = H_out·W_out·C_out·k_h·k_w·C_in (per group: C_in/g)"


def _matches(run: Run, layer: str, v: int) -> list[str]:
    """The MAC misconceptions that give ``v`` at ``layer`` (catalogue order)."""
    row = run.prep.solution.row(layer)
    node = run.prep.network.nodes[run.prep.names.index(layer)]
    f = mac_factors(node.layer, row.in_shape)
    if f is None:
        return []
    return [mid for mid, value in mac_values(f).items() if value == v]


def _sentence(mid: str, layer: str) -> str:
    return sentences.stated(MAC_MISCONCEPTIONS[mid], [layer])


def _explain(run: Run, layer: str, v: int) -> bool:
    """Diagnose one wrong count at ``layer``; True when a misconception explains it."""
    hits = _matches(run, layer, v)
    if not hits:
        return False
    if len(hits) == 1:
        text = _sentence(hits[0], layer)
        run.line(text, layer=layer, step=str(MAC_MISCONCEPTIONS[hits[0]].step),
                 title=MAC_MISCONCEPTIONS[hits[0]].title, formula=MAC_MISCONCEPTIONS[hits[0]].formula)
        run.diagnoses.append(Diagnosis((hits[0],), (layer,), v, text, True))
    else:
        run.ambiguous = True
        for mid in hits:
            text = _sentence(mid, layer)
            run.hedges.append("perhaps " + text)
            run.diagnoses.append(Diagnosis((mid,), (layer,), v, text))
    return True


def grade_mac_count(run: Run, value: object, reading: str) -> None:
    """One layer's MACs (``macs:LAYER``)."""
    v = as_int(value)
    if v is None:
        run.unreadable("not_integer", f"{reading} is not a whole number; a count of "
                       "multiply-accumulates is a whole number.")
        return
    run.given = v
    expected = run.prep.expected
    if v == expected:
        run.correct()
        return
    layer = str(run.prep.spec.layer)
    run.headline = f"Not quite: you answered {num(v)} MACs for {layer}."
    if _explain(run, layer, v):
        run.confident = not run.ambiguous
        return
    run.advice = (f"No common mistake explains this value. Recompute {layer}: {FORMULA}, "
                  "counting kernel multiplications only.")


def _given(run: Run, labels: list[str | None], values: list[int]) -> dict[str, int] | None:
    """Values by layer name: labelled, or in order over the layers with a kernel, or over
    every layer (a layer without a kernel given 0)."""
    names, every = list(run.prep.expected), list(run.prep.names)
    if all(lab is not None for lab in labels):
        for pool in (names, every):
            idx = by_label(labels, pool)
            if idx is not None:
                return {pool[i]: v for i, v in zip(idx, values, strict=True)}
        return None
    for pool in (names, every):
        if len(values) == len(pool):
            return dict(zip(pool, values, strict=True))
    return None


def grade_mac_layers(run: Run, labels: list[str | None], values: list[int]) -> None:
    """The MACs of every layer with a kernel (``macs``), by label or in layer order."""
    expected: dict[str, int] = run.prep.expected
    names = list(expected)
    given = _given(run, labels, values)
    if given is None:
        run.unreadable("unmatched", f"give one value for each layer with a kernel "
                       f"({', '.join(names)}), in order or labelled with the layer names.")
        return
    run.given = sum(values)
    kernel_free = [n for n, v in given.items() if n not in expected and v]
    for n in kernel_free:
        run.line(f"{n} has no kernel, so it performs no MACs: only kernel multiplications "
                 "count (no pooling, normalization or bias additions).", layer=n)
    wrong = [n for n in names if given.get(n) != expected[n]] + kernel_free
    if not wrong:
        run.correct(f"{sentences.plural(len(names), 'layer')} right")
        return
    run.headline = (f"Not quite: {len(wrong)} of {sentences.plural(len(names), 'layer')} wrong "
                    f"({sentences.names(wrong)}).")
    unexplained = []
    for n in names:
        got = given.get(n)
        verdict = "correct" if got == expected[n] else "missing" if got is None else "incorrect"
        if verdict == "incorrect" and got is not None:
            if _explain(run, n, got):
                verdict = "misconception"
            else:
                unexplained.append(n)
        elif verdict == "missing":
            unexplained.append(n)
        run.findings.append({"layer": n, "verdict": verdict, "misconceptions": [],
                             "got": got, **({"expected": expected[n]} if run.show else {})})
    for f in run.findings:
        f["misconceptions"] = [m for d in run.diagnoses if f["layer"] in d.layers
                               for m in d.misconceptions]
    run.confident = bool(run.diagnoses) and not run.ambiguous and not unexplained
    if len(wrong) == 1 and run.diagnoses and not run.ambiguous:
        run.score = run.policy.per_layer_single_slip
    if unexplained:
        run.advice = (f"Recompute {sentences.names(unexplained)}: {FORMULA}, counting kernel "
                      "multiplications only.")
