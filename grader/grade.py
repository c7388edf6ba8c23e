"""Grading: exact comparison, then a diagnosis of what went wrong, then rendered feedback.

Credit policy (:class:`CreditPolicy`, configurable): an exact answer earns 1.0; a per-layer
answer (or expression) whose only own mistake is one diagnosed slip, everything after it
right or correctly carried forward, earns 0.5; any other wrong answer 0 (an unexplained
wrong total earns nothing); approximate or unreadable answers are not graded (status
``unreadable``, no attempt used). Convention variants (a shape written channels first)
earn full credit with a note.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.layers import fmt_shape
from generator.misconceptions import MISCONCEPTIONS
from generator.network import Network, Solution, solve
from generator.render import num, render
from generator.spec import load_spec

from . import sentences
from .answers import align, as_int, by_label, match_free
from .diagnose import CONFIDENT, MAX_LAYERS, Diagnoser, Explanation
from .explain import finding_text, systematic

__all__ = ["CreditPolicy", "Diagnosis", "GradeResult", "Prepared", "clear_cache", "grade",
           "prepare"]

FORMATS = {"text": "feedback.txt.j2", "markdown": "feedback.md.j2", "md": "feedback.md.j2",
           "html": "feedback.html.j2"}


@dataclass(frozen=True)
class CreditPolicy:
    """Scores per outcome; pass your own to :func:`grade` to change them."""

    exact: float = 1.0
    convention_variant: float = 1.0
    per_layer_single_slip: float = 0.5
    diagnosed_total: float = 0.0
    unexplained: float = 0.0


DEFAULT_POLICY = CreditPolicy()


@dataclass(frozen=True)
class Diagnosis:
    """One explanation: misconception ids, the layers, the value it gives, a sentence."""

    misconceptions: tuple[str, ...]
    layers: tuple[str, ...]
    value: int
    explanation: str
    #: sure enough to record (progress, adaptive topics, class report); else a hedge
    confident: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"misconceptions": list(self.misconceptions), "layers": list(self.layers),
                "value": self.value, "explanation": self.explanation,
                "confident": self.confident}


@dataclass(frozen=True)
class GradeResult:
    """The graded answer; :meth:`to_dict` gives the JSON of ``cnnquiz grade --format json``."""

    status: str
    score: float
    expected: Any
    given: int | None
    ambiguous: bool
    diagnoses: tuple[Diagnosis, ...]
    feedback: str
    reason: str | None = None
    part: str = "total"
    confident: bool = False
    findings: tuple[dict[str, Any], ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def render(self, fmt: str = "text") -> str:
        """The feedback as text, Markdown or HTML (student text escaped)."""
        return render(FORMATS[fmt], dict(self.context))

    @property
    def recorded(self) -> tuple[str, ...]:
        """Misconception ids diagnosed with confidence: the only ones to record."""
        return tuple(dict.fromkeys(m for d in self.diagnoses if d.confident
                                   for m in d.misconceptions))

    @property
    def hedged(self) -> tuple[str, ...]:
        """Misconception ids offered only as possible causes (never recorded)."""
        sure = set(self.recorded)
        return tuple(dict.fromkeys(m for d in self.diagnoses if not d.confident
                                   for m in d.misconceptions if m not in sure))

    @property
    def confidence(self) -> str:
        """``confident`` (a cause is recorded), ``hedged`` (only possible causes) or ``""``."""
        return "confident" if self.recorded else "hedged" if self.hedged else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "score": self.score,
            "expected": self.expected,
            "given": self.given,
            "ambiguous": self.ambiguous,
            "diagnoses": [d.to_dict() for d in self.diagnoses],
            "feedback": self.feedback,
            "reason": self.reason,
            "part": self.part,
            "confident": self.confident,
            "confidence": self.confidence,
            "recorded": list(self.recorded),
            "hedged": list(self.hedged),
            "findings": list(self.findings),
        }


@dataclass
class Prepared:
    """A problem part compiled for grading (cached): solution, expected value, diagnoser."""

    key: str
    part: str
    network: Network
    solution: Solution
    expected: Any
    diagnoser: Diagnoser

    @property
    def names(self) -> tuple[str, ...]:
        return self.diagnoser.engine.names


# -- problems ------------------------------------------------------------------------------
def _spec_and_key(problem: Any) -> tuple[Any, str]:
    if isinstance(problem, Network):
        return problem, f"net:{hash(problem)}"
    spec = getattr(problem, "spec", None)
    pid = getattr(problem, "id", None)
    if spec is None and isinstance(problem, Mapping):
        if "spec" in problem and isinstance(problem["spec"], Mapping):
            spec, pid = problem["spec"], problem.get("id")
        else:
            spec = problem
    if spec is None:
        raise TypeError("a problem must be a Problem, a problem-file mapping, a spec or a Network")
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
    # the id names the problem for people; the spec hash keeps a reused id from a stale hit
    key = f"{pid}:{digest[:16]}" if pid is not None else f"spec:{digest}"
    return spec, key


_NETS: OrderedDict[str, tuple[Network, Solution, Diagnoser]] = OrderedDict()
_CACHE: OrderedDict[tuple[str, str], Prepared] = OrderedDict()
CACHE_SIZE = 256


def _compiled(problem: Any) -> tuple[str, Network, Solution, Diagnoser]:
    spec, key = _spec_and_key(problem)
    hit = _NETS.get(key)
    if hit is None:
        net = spec if isinstance(spec, Network) else load_spec(spec)
        hit = (net, solve(net), Diagnoser(net))
        _NETS[key] = hit
        if len(_NETS) > CACHE_SIZE:
            _NETS.popitem(last=False)
    return (key, *hit)


def clear_cache() -> None:
    """Forget every prepared problem (benchmarks; a changed spec gets a new key anyway)."""
    _NETS.clear()
    _CACHE.clear()


def prepare(problem: Any, part: str = "total") -> Prepared:
    """Compile a problem part once (cached per problem id or spec hash, and part)."""
    spec_key = _spec_and_key(problem)[1]
    hit = _CACHE.get((spec_key, part))
    if hit is not None:
        return hit
    key, net, sol, diag = _compiled(problem)
    expected: Any
    if part == "total":
        expected = sol.answer
    elif part == "per_layer":
        expected = {n: p for n, p in zip(diag.engine.names, diag.base.params, strict=True)}
    elif part.startswith("shape:"):
        name = part.split(":", 1)[1]
        try:
            expected = list(sol.row(name).out_shape)
        except KeyError:
            from generator.errors import ConfigError

            raise ConfigError(f"no layer named '{name}'; layers: {', '.join(diag.engine.names)}.",
                              where="part") from None
    else:
        from generator.errors import ConfigError

        raise ConfigError(f"unknown part '{part}'; use total, per_layer or shape:<layer>.",
                          where="part")
    prep = Prepared(key, part, net, sol, expected, diag)
    _CACHE[(key, part)] = prep
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return prep


# -- grading -------------------------------------------------------------------------------
def _parse(answer: Any, locale: str | None, expect: str | None) -> Any:
    if not isinstance(answer, str):
        return answer  # already parsed
    from .parse import parse_answer

    return parse_answer(answer, locale=locale, expect=expect)


def grade(problem: Any, answer: Any, *, part: str = "total", hide_answer: bool = False,
          locale: str | None = None, policy: CreditPolicy = DEFAULT_POLICY,
          feedback_format: str = "text") -> GradeResult:
    """Grade one answer to one part; the feedback names the layer, step and formula."""
    prep = part if isinstance(part, Prepared) else prepare(problem, part)
    expect = "shape" if prep.part.startswith("shape:") else (
        "breakdown" if prep.part == "per_layer" else "number")
    parsed = _parse(answer, locale, expect)
    text = answer if isinstance(answer, str) else str(getattr(parsed, "text", ""))
    g = _Grader(prep, parsed, text, show=not hide_answer, policy=policy)
    ctx = g.run()
    return GradeResult(
        status=g.status, score=g.score, expected=prep.expected, given=g.given,
        ambiguous=g.ambiguous, diagnoses=tuple(g.diagnoses),
        feedback=render(FORMATS[feedback_format], ctx), reason=g.reason, part=prep.part,
        confident=g.confident, findings=tuple(g.findings_out), context=ctx)


def _expr_text(expr: Any) -> str | None:
    try:
        from .parse import format_expr

        return str(format_expr(expr))
    except Exception:  # noqa: BLE001 - text for feedback only
        return None


def _misses(mapping: dict[int, int], plausible: dict[int, set[int]]) -> int:
    return sum(1 for i, v in mapping.items() if v not in plausible.get(i, set()))


class _Grader:
    """One grading run; collects status, score, diagnoses and feedback strings."""

    def __init__(self, prep: Prepared, parsed: Any, text: str, *, show: bool,
                 policy: CreditPolicy) -> None:
        self.p, self.parsed, self.text, self.show, self.policy = prep, parsed, text, show, policy
        self.d = prep.diagnoser
        self.status, self.score, self.given = "incorrect", 0.0, None
        self.reason: str | None = None
        self.ambiguous = self.confident = False
        self.diagnoses: list[Diagnosis] = []
        self.findings_out: list[dict[str, Any]] = []
        self.lines: list[dict[str, str]] = []
        self.hedges: list[str] = []
        self.notes: list[str] = []
        self.follow_up: str | None = None
        self.headline = ""
        self.advice: str | None = None

    # -- entry ----------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        a = self.parsed
        if hasattr(a, "reason") and not hasattr(a, "value") and not hasattr(a, "dims"):
            self._unreadable(str(a.reason), getattr(a, "message", "could not read the answer"))
        elif self.p.part.startswith("shape:"):
            self._shape(a)
        elif getattr(a, "approximate", False) and not self._exact_key(a):
            self._unreadable("approximate", f"your answer was read as an approximate value "
                             f"({getattr(a, 'reading', self.text)}); an exact count is needed.")
        elif hasattr(a, "entries"):
            self._breakdown(a)
        elif hasattr(a, "expr"):
            self._expression(a)
        elif hasattr(a, "value"):
            self._number(a)
        else:
            self._unreadable("unexpected", "expected a number of parameters.")
        return self._context()

    def _exact_key(self, a: Any) -> bool:
        """A rounded-looking form (7.27194e6, 1.5k) whose value is exactly the key is exact."""
        v = as_int(getattr(a, "value", None))
        return v is not None and v == self.p.expected

    def _unreadable(self, reason: str, message: str) -> None:
        self.status, self.score, self.reason = "unreadable", 0.0, reason
        self.headline = f"Could not grade this answer: {message}"

    # -- totals ---------------------------------------------------------------------------
    def _number(self, a: Any) -> None:
        v = as_int(a.value)
        if v is None:
            self._unreadable("not_integer", f"{getattr(a, 'reading', a.value)} is not a whole "
                             "number; a parameter count is a whole number.")
            return
        if self.p.part == "per_layer":
            self._unreadable("expected_breakdown", "this part asks for one value per layer "
                             "(e.g. 'conv1: 3000' on each line).")
            return
        self.given = v
        if v == self.p.expected:
            self._correct()
            return
        self._total_search(v)

    def _correct(self) -> None:
        self.status, self.score = "correct", self.policy.exact
        self.headline = f"Correct: {num(self.given)}." if self.given is not None else "Correct."

    def _total_search(self, v: int) -> None:
        found = self.d.total(v)
        self.headline = f"Not quite: you answered {num(v)}."
        if self.d.too_large:
            self._too_large()
            return
        if not Diagnoser.confident(found):
            found = Diagnoser.offered(found)  # nothing below the floor is offered
        if not found:
            self.score = self.policy.unexplained
            self.advice = ("No common mistake explains this value. Recompute layer by layer: "
                           "each layer's output shape, then its weights (kernel and bias).")
            return
        self.score = self.policy.diagnosed_total
        self.confident = Diagnoser.confident(found)
        self.ambiguous = not self.confident
        shown = found[:1] if self.confident else found
        for e in shown:
            # one sentence per explanation: the printed line and the JSON explanation agree
            if self.confident:
                text = sentences.sure(self.d, e, v, show=self.show)
            else:
                text = sentences.mistake(self.d, e, v, show=self.show) + sentences.twins(
                    self.d, [o for o in shown if o is not e and o.trace.params == e.trace.params
                             and o.trace.shapes == e.trace.shapes])
                self.hedges.append(f"perhaps ({e.posterior:.0%}) {text}")
            self.diagnoses.append(self._diagnosis(e, v, self.confident, text))
        if self.confident:
            self.lines.append({"layer": ", ".join(self.diagnoses[0].layers),
                               "kind": "misconception",
                               "step": "",  # named in the text
                               "title": "", "text": self.diagnoses[0].explanation, "formula": "",
                               "should": ""})
        else:
            where = None
            if len(found) > 1:
                i = self.d.first_difference(found[0].trace, found[1].trace)
                if i is None:
                    self.follow_up = (
                        "These explanations give the same numbers in every layer; write the "
                        "first layer's count as a formula with its factors, e.g. (k·k·C_in + 1)·"
                        "C_out, so we can see which step you took.")
                    return
                where = self.d.engine.names[i]
            self.follow_up = ("Answer per layer (one value per layer) so the mistake can be "
                              "told apart" + (f"; the explanations first differ at {where}."
                                              if where else "."))

    def _too_large(self) -> None:
        self.score = self.policy.unexplained
        self.reason = "too_large_to_diagnose"
        self.advice = (f"This network is too large to diagnose (over {MAX_LAYERS} layers or "
                       "past the diagnosis budget); the answer was graded exactly. Recompute "
                       "layer by layer: each layer's output shape, then its weights.")

    def _diagnosis(self, e: Explanation, v: int, confident: bool, text: str) -> Diagnosis:
        layers: list[str] = []
        for s in e.sites:
            for i in s.layers:
                n = "input" if i < 0 else self.d.engine.names[i]
                if n not in layers:
                    layers.append(n)
        return Diagnosis(e.ids, tuple(layers), v, text, confident)

    # -- per layer ------------------------------------------------------------------------
    def _values_to_layers(self, labels: list[str | None], values: list[int]) -> dict[int, int] | None:
        names = self.p.names
        if all(lab is not None for lab in labels):
            idx = by_label(labels, names)
            if idx is not None:
                return dict(zip(idx, values, strict=True))
        base = self.d.base.params
        weighted = [i for i, n in enumerate(self.d.engine.nodes) if n.layer.has_weights]
        nonzero = [i for i, p in enumerate(base) if p]
        options: list[dict[int, int]] = []
        for layers in (list(range(len(names))), weighted, nonzero):
            if len(values) == len(layers):
                options.append(dict(zip(layers, values, strict=True)))
        plausible = self._plausible()
        every = list(range(len(names)))  # any layer may carry a value (pooling given weights)
        got = align(values, every, plausible)
        if got is not None:
            options.append(dict(zip(got, values, strict=True)))
        free = match_free(values, every, plausible, dict(enumerate(base)), set(weighted))
        if free is not None:
            options.append(free)
        if not options:
            return None
        # the reading that leaves the fewest values unexplained, then the one with the fewest
        # layers off their correct value (a simpler story); positional on ties
        return min(options, key=lambda m: (_misses(m, plausible), sum(
            1 for i in range(len(names)) if m.get(i, 0) != base[i])))

    def _plausible(self) -> dict[int, set[int]]:
        return self.d.plausible

    def _breakdown(self, a: Any) -> None:
        labels = [e.label for e in a.entries]
        values: list[int] = []
        terms: list[str | None] = []
        for e in a.entries:
            v = e.value
            if getattr(v, "approximate", False) and as_int(getattr(v, "value", None)) not in set(
                    self.d.base.params):
                self._unreadable("approximate", f"{getattr(v, 'reading', '')} looks rounded; "
                                 "exact per-layer counts are needed.")
                return
            n = as_int(getattr(v, "value", v))
            if n is None or hasattr(v, "dims"):
                self._unreadable("not_integer", "every per-layer value must be a whole number.")
                return
            values.append(n)
            terms.append(_expr_text(v.expr) if hasattr(v, "expr") else None)
        self._local(values, labels, terms if any(terms) else None)

    def _expression(self, a: Any) -> None:
        v = as_int(a.value)
        if v is None:
            self._unreadable("not_integer", f"your expression gives {a.value}, not a whole number.")
            return
        values: list[int] = []
        texts: list[str | None] = []
        try:
            from .parse import evaluate
            from .parse import terms as split_terms

            for sign, t in split_terms(a.expr):
                tv = as_int(evaluate(t))
                if tv is None:
                    values = []
                    break
                values.append(sign * tv)
                texts.append(_expr_text(t))
        except Exception:  # noqa: BLE001 - past a cap: grade the value only
            values = []
        if self.p.part == "total" and v == self.p.expected:
            self.given = v
            self._correct()
            return
        if len(values) < 2:
            self.given = v
            if self.p.part == "total":
                self._total_search(v)
            else:
                self._unreadable("expected_breakdown", "this part asks for one value per layer.")
            return
        self._local(values, [None] * len(values), texts, total=v)

    def _local(self, values: list[int], labels: list[str | None], terms: list[str | None] | None,
               total: int | None = None) -> None:
        total = sum(values) if total is None else total
        mapping = self._values_to_layers(labels, values)
        self.given = total
        if mapping is None:
            self.notes.append("Your values could not be matched to the layers one by one; "
                              "graded as a total.")
            if self.p.part == "total":
                if total == self.p.expected:
                    self._correct()
                else:
                    self._total_search(total)
            else:
                self._unreadable("unmatched", "give one value per layer, in layer order or "
                                 "labelled with the layer names.")
            return
        full = {i: mapping.get(i, 0) for i in range(len(self.p.names))}
        term_of: dict[int, str | None] = {}
        if terms:
            value_layer = list(mapping.items())
            term_of = {i: t for (i, _), t in zip(value_layer, terms, strict=False)}
        findings = self.d.local(full)
        own = [f for f in findings if f.verdict in ("misconception", "ambiguous", "unknown")]
        exact = not own and all(f.verdict == "correct" for f in findings)
        if self.p.part == "total" and total == self.p.expected and not own:
            exact = True
        if exact:
            self._correct()
        self.headline = self.headline or (f"Not quite: your layers add up to {num(total)}."
                                          if total != self.p.expected or own else "")
        if not self.headline:
            self.headline = "Not quite."
        for f in findings:
            t = finding_text(self.d, f, show=self.show, term=term_of.get(f.layer))
            self.findings_out.append({"layer": t["layer"], "verdict": f.verdict,
                                      "misconceptions": list(f.ids), "got": f.got,
                                      **({"expected": f.expected} if self.show else {})})
            if f.verdict != "correct":
                self.lines.append(t)
        self.lines += [{"layer": "", "kind": "systematic", "step": "", "title": "", "text": s,
                        "formula": "", "should": ""} for s in systematic(self.d, findings)]
        if exact:
            return
        diag = [f for f in own if f.verdict != "unknown"]
        by_ids: dict[tuple[str, ...], list[str]] = {}
        sure: dict[tuple[str, ...], bool] = {}
        for f in diag:
            by_ids.setdefault(f.ids, []).append(self.p.names[f.layer])
            ok = f.verdict == "misconception" and f.posterior >= CONFIDENT
            sure[f.ids] = sure.get(f.ids, True) and ok
        for ids, layers in by_ids.items():
            expl = " ".join(ln["text"] for ln in self.lines if ln["layer"] in layers)
            self.diagnoses.append(Diagnosis(ids, tuple(layers), total, expl, sure[ids]))
        self.ambiguous = any(f.verdict == "ambiguous" for f in own)
        self.confident = (bool(diag) and not self.ambiguous and len(diag) == len(own)
                          and all(f.posterior >= CONFIDENT for f in diag))
        slips = len(own)
        if slips == 1 and diag and not self.ambiguous:
            self.score = self.policy.per_layer_single_slip
        else:
            self.score = self.policy.unexplained
        if any(f.verdict == "unknown" for f in own):
            self.advice = "Recompute the flagged layers step by step: output shape, then weights."
        if self.d.too_large and own:
            self._too_large()

    # -- shapes ---------------------------------------------------------------------------
    def _shape(self, a: Any) -> None:
        want = tuple(self.p.expected)
        dims = tuple(as_int(x) for x in getattr(a, "dims", ()) or ())
        if not dims and hasattr(a, "value"):
            v = as_int(a.value)
            dims = (v,) if v is not None else ()
        if not dims or any(x is None for x in dims):
            self._unreadable("expected_shape", "expected a shape such as 94x94x60.")
            return
        name = self.p.part.split(":", 1)[1]
        if getattr(a, "has_batch", False):
            if len(dims) == len(want) + 1:
                dims = dims[1:]
            self.notes.append("You included a leading batch dimension (None); that is fine, "
                              "the shape of one example is what is graded.")
        if dims == want:
            self._correct_shape(dims)
            return
        if len(want) > 1 and dims == (want[-1], *want[:-1]):
            self.status, self.score = "correct", self.policy.convention_variant
            self.headline = f"Correct: {fmt_shape(dims)}."
            self.notes.append("You wrote the channels first (C×H×W, PyTorch's order); this "
                              "course writes them last (H×W×C).")
            return
        i = self.p.names.index(name)
        self.headline = f"Not quite: you answered {fmt_shape(dims)} for {name}."
        hits: list[tuple[float, Any]] = []
        for s in self.d.all_sites:
            t = self.d._trace((s,))
            if t is not None and t.shapes[i] in (dims, (*dims[1:], dims[0])):
                hits.append((s.prior, s))
        hits.sort(key=lambda h: -h[0])
        if not hits:
            self.advice = sentences.shape_advice(self.d.engine.nodes[i].layer.kind, name)
            return
        total_w = sum(w for w, _ in hits) + 0.0005
        seen: dict[str, float] = {}
        for w, s in hits:
            seen[s.mid] = seen.get(s.mid, 0.0) + w
        ranked = sorted(seen.items(), key=lambda kv: -kv[1])
        top = ranked[0][1] / total_w
        second = ranked[1][1] / total_w if len(ranked) > 1 else 0.0
        self.confident = top >= 0.75 and top >= 3 * second
        self.ambiguous = not self.confident
        for mid, _ in ranked[:1] if self.confident else ranked[:3]:
            s = next(s for _, s in hits if s.mid == mid)
            m = MISCONCEPTIONS[mid]
            layers = (name,) if i in s.layers else tuple(
                self.d.engine.names[j] if j >= 0 else "input" for j in s.layers)
            layer = sentences.names(layers)
            expl = (f"{m.title[0].upper()}{m.title[1:]} ({layer}; step: {m.step}): "
                    f"{sentences.fill(m.hint, layers)} Formula: {m.formula}.")
            self.diagnoses.append(Diagnosis((mid,), layers, 0, expl, self.confident))
            if self.confident:
                self.lines.append({"layer": layer, "kind": "misconception", "step": str(m.step),
                                   "title": m.title, "text": expl, "formula": m.formula,
                                   "should": ""})
            else:
                self.hedges.append("perhaps " + expl)
        if self.ambiguous:
            self.follow_up = "Give the output shape of every layer so the step can be told apart."

    def _correct_shape(self, dims: tuple[int, ...]) -> None:
        self.status, self.score = "correct", self.policy.exact
        self.headline = f"Correct: {fmt_shape(dims)}."

    # -- context --------------------------------------------------------------------------
    def _context(self) -> dict[str, Any]:
        exp = self.p.expected
        if isinstance(exp, dict):
            exp_text = ", ".join(f"{k} {num(v)}" for k, v in exp.items())
        elif isinstance(exp, list):
            exp_text = fmt_shape(exp)
        else:
            exp_text = num(exp)
        show_expected = self.show and self.status == "incorrect"
        return {
            "status": self.status,
            "headline": self.headline,
            "answer_text": self.text[:500],
            "expected": exp_text if show_expected else "",
            "findings": self.lines,
            "ambiguous": self.ambiguous,
            "hedges": self.hedges,
            "follow_up": self.follow_up or "",
            "notes": self.notes,
            "advice": self.advice or "",
        }
