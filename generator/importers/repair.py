"""A tolerant reader: pasted code -> repaired text and a log of every repair (issue 13).

Code copied from blogs, forums and notebooks arrives damaged in ways that have exactly one
sensible reading: curly quotes, non-breaking spaces, notebook prompts, Markdown fences,
prose around the code, lost indentation, a missing bracket or comma. :func:`repair` undoes
such damage *as text*, line by line, and says what it did; nothing is ever run, and the
text is only ever handed to :func:`ast.parse` to see whether a repair helped.

Rules that keep it honest:

- every repair keeps the number of lines, so a line number in a later message is a line
  of the paste (a removed line becomes an empty line);
- text inside string literals and comments is never turned into code, except when *every*
  line of the paste sits behind a ``#`` (a scraper's doing), which is undone as a whole;
- when two readings are possible (``×`` as a shape separator or a product, a bracket
  that may close in two places), it refuses with the line and both readings.

>>> fixed = repair("```python\\nmodel.add(Dense(10, activation=‘relu’))\\n```\\n")
>>> fixed.text
"\\nmodel.add(Dense(10, activation='relu'))\\n\\n"
>>> [what for _, what in fixed.repairs]
['Markdown code fence removed', "curly quotes read as '", 'Markdown code fence removed']
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..errors import ConfigError
from .layout import (
    close_brackets,
    dedent_block,
    insert_commas,
    reindent,
    retab,
    split_prose,
)
from .scan import bracket_stack, code_mask, is_output, is_prose, parse_error

__all__ = ["Repaired", "repair"]

MAX_ROUNDS = 200  # parse-and-repair rounds; each one fixes one error


@dataclass(frozen=True)
class Repaired:
    """The repaired source and the repairs, as ``(line, what)`` in the paste's line numbers."""

    text: str
    repairs: tuple[tuple[int, str], ...]


SPACES = {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ",
          "\u2009": " ", "\u200a": " ", "\u3000": " ", "\t": "\t"}
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "\u00b4": "'",
          "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"'}
MINUS = {"\u2212": "-"}
PRIMES = ("\u2032", "\u2033", "\u00b4")  # ′ ″ ´, typed for quotes by some editors

_FENCE = re.compile(r"^\s*(```|~~~)")
_IPY_IN = re.compile(r"^In ?\[\d*\]:\s?")
_IPY_OUT = re.compile(r"^Out\[\d*\]:")
_IPY_MORE = re.compile(r"^\s*\.\.\.+:\s?")
_DOCTEST = re.compile(r"^(>>>|\.\.\.)( |$)|^(>>>)(?=\S)")
_SHELL = re.compile(r"^\s*([!%]|\$ )")
_ENTITY = re.compile(r"&(quot|#39|#x27|apos|lt|gt|amp|nbsp);")
_ENTITIES = {"quot": '"', "#39": "'", "#x27": "'", "apos": "'", "lt": "<", "gt": ">",
             "amp": "&", "nbsp": " "}
_NUMBERED = re.compile(r"^\s*(\d+)([.:|)]?)(?=\s|$)")
_PRINT2 = re.compile(r"^(\s*)print\s+(?!(?:if|else|and|or|in|is|for|not)\b)(?=[\w'\"\[{(-])")
_SHAPE_KEY = re.compile(r"(shape|size|dims?)\s*=\s*\($|(shape|size)\w*\s*=\s*\($", re.I)


class _Log:
    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []
        self.seen: set[tuple[int, str]] = set()

    def add(self, line: int, what: str) -> None:
        if (line, what) not in self.seen:
            self.seen.add((line, what))
            self.items.append((line, what))


def repair(text: str) -> Repaired:
    """Repair what has one sensible reading; refuse (ConfigError) where there are two."""
    log = _Log()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = _line_numbers(lines, log)
    lines = _line_passes(lines, log)
    lines = _whole_snippet(lines, log)
    lines = _parse_driven(lines, log)
    kept = [(n, what) for n, what in log.items  # a character fixed on a line then removed
            if lines[n - 1].strip() or not what.startswith(_CHARACTER_REPAIRS)]
    return Repaired("\n".join(lines), tuple(sorted(kept, key=lambda r: r[0])))


_CHARACTER_REPAIRS = ("curly quotes", "primes", "non-breaking", "invisible", "minus sign", "×")


# -- line by line ---------------------------------------------------------------------------
_TRACEBACK = re.compile(r"^Traceback \(most recent call last\):")
_LAST_ERROR = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b")
_SUMMARY = re.compile(r'^\s*(Model: "|Layer \(type(:depth-idx)?\))')  # Keras, torchinfo
#: what follows "Non-trainable params:" in a Keras or torchinfo summary
_SUMMARY_TAIL = re.compile(r"^\s*((Total mult-adds|Input size|Forward/backward pass size|"
                           r"Params size|Estimated Total Size) \(|[_=\-─]+\s*$)")
_SUMMARY_END = re.compile(r"^\s*Non-trainable params:")
_REPR = re.compile(r"^[A-Z]\w*\($")  # print(net) of a PyTorch module: `Net(`
_REPR_ITEM = re.compile(r"^\s+\([\w.-]+\): [A-Z]\w*\(")  # `  (conv1): Conv2d(1, 6, ...)`
_REPR_END = re.compile(r"^\)\s*$")


def _line_numbers(lines: list[str], log: _Log) -> list[str]:
    """Strip the line numbers a code listing was copied with (1, 2, 3, ... before each line).

    Only when every non-blank line starts with a number and they count up from 1 by one, so
    that they cannot be code; the common indentation after them is removed too.
    """
    numbered = [(i, _NUMBERED.match(line)) for i, line in enumerate(lines) if line.strip()]
    if len(numbered) < 3 or not all(m for _, m in numbered):
        return lines
    values = [int(m.group(1)) for _, m in numbered if m]
    if values[0] not in (0, 1) or any(b - a not in (1, 2) for a, b in zip(values, values[1:],
                                                                         strict=False)):
        return lines
    rest = {i: lines[i][m.end():] for i, m in numbered if m}
    code = [t for t in rest.values() if t.strip()]
    cut = min((len(t) - len(t.lstrip()) for t in code), default=0)
    out = list(lines)
    for i, t in rest.items():
        out[i] = t[cut:] if t.strip() else ""
    log.add(numbered[0][0] + 1, f"lines {numbered[0][0] + 1}–{numbered[-1][0] + 1}: the "
                                "listing's line numbers removed")
    return out


def _output_blocks(lines: list[str], log: _Log) -> list[str]:
    """Blank a pasted traceback or a model.summary() table (never code, whatever it holds)."""
    out = list(lines)
    i = 0
    while i < len(lines):
        for start, stop, what in ((_TRACEBACK, _LAST_ERROR, "error traceback"),
                                  (_SUMMARY, _SUMMARY_END, "model summary table"),
                                  (_REPR, _REPR_END, "print(model) output")):
            if start.match(lines[i]) and (start is not _REPR or (
                    i + 1 < len(lines) and _REPR_ITEM.match(lines[i + 1]))):
                end = next((k for k in range(i + 1, len(lines)) if stop.match(lines[k])), None)
                if end is None:
                    continue
                if what == "model summary table":
                    while end + 1 < len(lines) and lines[end + 1].strip() and _SUMMARY_TAIL.match(
                            lines[end + 1]):
                        end += 1
                    if i > 0 and re.match(r"^\s*=+\s*$", lines[i - 1]):  # torchinfo's rule
                        i -= 1
                for k in range(i, end + 1):
                    out[k] = ""
                log.add(i + 1, f"lines {i + 1}–{end + 1}: pasted {what} removed")
                i = end
                break
        i += 1
    return out


def _line_passes(lines: list[str], log: _Log) -> list[str]:
    lines = _output_blocks(lines, log)
    out = list(lines)
    state: str | None = None
    doctest = False
    for line in lines:  # a >>> session, outside strings (a docstring may hold examples)
        doctest = doctest or (state is None and line.startswith(">>>"))
        _, state = code_mask(line, state)
    in_output = False
    state = None
    depth: list[str] = []
    ipython = any(_IPY_IN.match(line) for line in lines)
    for i, line in enumerate(lines):
        n = i + 1
        starts_in_string, continued = state is not None, bool(depth)
        if continued and not starts_in_string and (_FENCE.match(line) or is_prose(line)):
            depth, continued = [], False  # prose "(see below" left a bracket open: not code
        depth, state = bracket_stack([line], depth, state)
        if starts_in_string:
            continue
        if continued and not doctest and not ipython:  # in a bracket `!= b`, `% 2` are code
            out[i] = _characters(line, n, log)
            continue
        if _FENCE.match(line):
            out[i] = ""
            log.add(n, "Markdown code fence removed")
            continue
        if _IPY_OUT.match(line):
            in_output, out[i] = True, ""
            log.add(n, "notebook output removed")
            continue
        if in_output and line.strip() and not _IPY_IN.match(line):
            _not_code(line, n, "follows an Out[..]: line")
            out[i] = ""
            log.add(n, "notebook output removed")
            continue
        in_output = False
        if m := _IPY_IN.match(line):
            line = line[m.end():]
            log.add(n, "notebook prompt In [..]: removed")
        elif ipython and (m := _IPY_MORE.match(line)):
            line = line[m.end():]
            log.add(n, "notebook continuation prompt ...: removed")
        elif doctest:
            if m := _DOCTEST.match(line):
                line = line[m.end():]
                log.add(n, f"prompt {m.group(1) or m.group(3)} removed")
            elif line.strip():
                _not_code(line, n, "has no >>> prompt")
                out[i] = ""
                log.add(n, "interpreter output (a line without >>>) removed")
                continue
        if _SHELL.match(line):
            out[i] = ""
            log.add(n, f"notebook command {line.strip().split()[0]} removed")
            continue
        out[i] = _characters(line, n, log)
    state = None
    for i, line in enumerate(out):  # Python 2 print, once prompts are gone
        starts_in_string = state is not None
        mask, state = code_mask(line, state)
        if not starts_in_string and (m := _PRINT2.match(line)):
            end = mask.rfind("c") + 1 if "#" in mask else len(line.rstrip())
            body = line[m.end():end].rstrip()
            if bracket_stack([body])[0] or body.endswith("\\"):
                continue  # a print statement over several lines: left to the parser
            out[i] = f"{m.group(1)}print({body}){line[end:]}"
            log.add(i + 1, "Python 2 print statement read as print(...)")
    return out


_CODE_CALLS = ("add", "compile", "fit", "summary", "build", "append")


def _not_code(line: str, n: int, why: str) -> None:
    """Refuse to drop, as output, a line that reads as a statement of model code."""
    try:
        stmt = ast.parse(line.strip()).body[0]
    except (SyntaxError, ValueError, IndexError, RecursionError, MemoryError):
        return
    code = isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Import
                      | ast.ImportFrom | ast.FunctionDef | ast.ClassDef | ast.For | ast.With)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        f = stmt.value.func
        code = isinstance(f, ast.Attribute) and f.attr in _CODE_CALLS
    if code:
        raise ConfigError(f"`{line.strip()}` {why}, so it reads as output, but it is code; "
                          "it could be either. Give it the prompt if it is code, or remove it.",
                          where=f"line {n}")


def _characters(line: str, n: int, log: _Log) -> str:
    """Typographic characters outside strings and comments -> their ASCII meaning; HTML
    entities a scraper left (``&quot;relu&quot;``) -> the characters."""
    if _ENTITY.search(line):
        line = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], line)
        log.add(n, "HTML entities (&quot; &gt; ...) read as the characters")
    mask, _ = code_mask(line, None)
    chars = list(line)
    for j, ch in enumerate(line):
        in_code = j < len(mask) and mask[j] == "c"
        if ch in INVISIBLE:
            chars[j] = ""
            log.add(n, "invisible character (zero-width space, BOM) removed")
        elif ch in SPACES and ch != "\t":
            chars[j] = " "
            log.add(n, "non-breaking space read as a space")
        elif in_code and ch in QUOTES:
            chars[j] = QUOTES[ch]
            kind = "primes" if ch in PRIMES else "curly quotes"
            log.add(n, f"{kind} read as {QUOTES[ch]}")
        elif in_code and ch in MINUS:
            chars[j] = "-"
            log.add(n, "minus sign − read as -")
        elif in_code and ch == "×":
            chars[j] = _times(line, j, n)
            log.add(n, "× in a shape read as ','" if chars[j] == ", " else
                    "× read as the product *")
    return "".join(chars)


def _times(line: str, j: int, n: int) -> str:
    """``×`` in a shape (``input_shape=(28×28×1)``) is a comma; in a call argument a product."""
    depth, k = 0, j - 1
    while k >= 0:
        if line[k] in ")]":
            depth += 1
        elif line[k] in "([":
            if depth == 0:
                break
            depth -= 1
        k -= 1
    before = line[:k + 1]
    if k >= 0 and _SHAPE_KEY.search(before):
        return ", "
    if k >= 0 and re.search(r"[\w\]\)]\($", before) and not _SHAPE_KEY.search(before):
        return "*"
    raise ConfigError(f"`{line.strip()}` has ×, which can be read two ways: as a shape "
                      f"separator ({line[:j].strip()}, ...) or as a product (*). Write , for a "
                      "shape or * for a product.", where=f"line {n}")


# -- the snippet as a whole -----------------------------------------------------------------
def _whole_snippet(lines: list[str], log: _Log) -> list[str]:
    code = [i for i, line in enumerate(lines) if line.strip()]
    if not code:
        return lines
    if all(lines[i].lstrip().startswith("#") for i in code) and _uncommented_parses(lines, code):
        for i in code:
            lines[i] = re.sub(r"^(\s*)# ?", r"\1", lines[i], count=1)
        log.add(code[0] + 1, f"lines {code[0] + 1}–{code[-1] + 1}: every line was behind '#' "
                             "(as a scraper leaves code); the '#' removed")
    indents = [len(lines[i]) - len(lines[i].lstrip()) for i in code]
    if min(indents) > 0 and parse_error("\n".join(lines)) is not None:
        cut = min(indents)
        for i in code:
            lines[i] = lines[i][cut:]
        log.add(code[0] + 1, f"the whole snippet was indented by {cut}; dedented")
    elif len(code) > 1 and indents[0] == 0 and min(indents[1:]) > 0 and parse_error(
            "\n".join(lines)) is not None and not lines[
            code[0]].rstrip().endswith((":", "(", "[", ",", "\\")):
        cut = min(indents[1:])
        for i in code[1:]:
            lines[i] = lines[i][cut:]
        log.add(code[1] + 1, f"lines {code[1] + 1}–{code[-1] + 1} were indented by {cut} "
                             f"under an unindented line {code[0] + 1}; dedented")
    return lines


def _uncommented_parses(lines: list[str], code: list[int]) -> bool:
    trial = list(lines)
    for i in code:
        trial[i] = re.sub(r"^(\s*)# ?", r"\1", trial[i], count=1)
    text = "\n".join(trial)
    return parse_error(text) is None and any(
        re.match(r"\s*(import|from|class|def)\b|\s*\w+\s*=", trial[i]) for i in code)


# -- driven by the parser's errors ----------------------------------------------------------
def _parse_driven(lines: list[str], log: _Log) -> list[str]:
    seen: set[tuple[int, str]] = set()
    for _ in range(MAX_ROUNDS):
        err = parse_error("\n".join(lines))
        if err is None:
            return lines
        line_no, msg = err
        if (line_no, msg) in seen:
            return lines  # no progress: the parser's own message will be shown
        seen.add((line_no, msg))
        fixed = _one_fix(lines, line_no, msg, log)
        if fixed is None:
            return lines
        lines = fixed
    return lines


def _one_fix(lines: list[str], line_no: int, msg: str, log: _Log) -> list[str] | None:
    i = line_no - 1
    if "expected an indented block" in msg:
        return reindent(lines, i, log.add, msg)
    if "inconsistent use of tabs" in msg or "unindent does not match" in msg:
        return retab(lines, line_no, log.add)
    if "was never closed" in msg:
        return close_brackets(lines, i, log.add)
    if "unexpected indent" in msg and (fixed := dedent_block(lines, i, log.add)) is not None:
        return fixed
    if "forgot a comma" in msg and (fixed := insert_commas(lines, log.add)) is not None:
        return fixed
    if 0 <= i < len(lines) and (split := split_prose(lines[i])) is not None:
        code, prose = split
        out = list(lines)
        out[i] = code
        log.add(line_no, f"prose glued to the code removed: {_short(prose)}")
        return out
    if 0 <= i < len(lines) and (is_prose(lines[i]) or is_output(lines[i])):
        out = list(lines)
        out[i] = ""
        log.add(line_no, f"prose line removed: {_short(lines[i])}")
        return out
    if (fixed := insert_commas(lines, log.add)) is not None:
        return fixed
    return None


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= limit else f"“{text[:limit - 1]}…”"
