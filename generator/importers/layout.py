"""Repairs of a paste's layout: lost indentation, unclosed brackets, missing commas, prose.

Each function takes the lines and the parser's complaint, returns new lines (same count)
or None when it has no repair, and logs what it did through ``add(line, what)``. A repair
is kept only when the parser then gets further; where the text allows two readings, a
ConfigError names the line and both.

>>> lines = ["def build():", "model = Sequential()", "model.add(Dense(2))", "return model",
...          "m = build()"]
>>> reindent(lines, 1, lambda n, what: None)
['def build():', '    model = Sequential()', '    model.add(Dense(2))', '    return model', 'm = build()']
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from ..errors import ConfigError
from .scan import CLOSE, OPEN, bracket_stack, code_mask, is_prose, parse_error, parses_alone

__all__ = ["close_brackets", "dedent_block", "insert_commas", "reindent", "retab", "split_prose"]

Add = Callable[[int, str], None]
_BLOCK = re.compile(r"(if|elif|else|for|while|try|except|finally|async\s+for)\b")
_HEADER_LINE = re.compile(r"on line (\d+)")


def _gets_further(lines: list[str], i: int) -> bool:
    err = parse_error("\n".join(lines))
    return err is None or err[0] > i + 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# -- lost indentation -----------------------------------------------------------------------
def reindent(lines: list[str], i: int, add: Add, message: str = "") -> list[str] | None:
    """Restore the indentation of def/class bodies written flush with their header.

    ``i`` is the first unindented body line. Every logical line from the header on must sit
    at the header's column; blocks other than def/class/with (if, for, try) have no
    telling end and are refused with both readings.
    """
    m = _HEADER_LINE.search(message)
    head = int(m.group(1)) - 1 if m else i - 1
    while head > 0 and not lines[head].strip():
        head -= 1
    col = _indent(lines[head])
    if any(_indent(lines[j]) > col for j in _logical(lines, head + 1)
           if _indent(lines[j]) >= col):
        return _shift_body(lines, head, i, add)
    out = list(lines)
    stack: list[tuple[str, str, bool]] = []  # (kind, name, has a method)
    depth: list[str] = []
    state: str | None = None
    after_decorator = False
    for j in range(head, len(lines)):
        line = lines[j]
        continued = bool(depth) or state is not None
        depth, state = bracket_stack([line], depth, state)
        if continued:
            out[j] = " " * (4 * len(stack)) + line if line.strip() else line
            continue
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if _indent(line) < col:
            break
        if _indent(line) > col:
            return None  # partly indented: not this repair
        if text.startswith(("@", "def ", "async def ")):
            if not after_decorator:
                while stack and stack[-1][0] == "def":
                    stack.pop()
            after_decorator = text.startswith("@")
            if stack and stack[-1][0] == "class":
                stack[-1] = ("class", stack[-1][1], True)
            out[j] = " " * (col + 4 * len(stack)) + text
            if text.startswith(("def ", "async def ")):
                stack.append(("def", re.split(r"[\s(]", text.split("def ", 1)[1])[0], False))
        elif text.startswith("class ") or text.startswith("if __name__"):
            stack.clear()
            out[j] = " " * col + text
            stack.append(("class" if text.startswith("class") else "main",
                          re.split(r"[\s(:]", text[6:])[0], False))
        elif _BLOCK.match(text) and text.endswith(":"):
            raise ConfigError(
                f"the indentation of the snippet is lost, and the block `{text}` has no telling "
                f"end: the lines after it may be inside it or after it. Indent line {j + 2} "
                "and the lines of that block as in the original.", where=f"line {j + 1}")
        else:
            while stack and (
                    (stack[-1][0] == "class" and stack[-1][2])
                    or any(re.search(rf"(?<![.\w]){re.escape(s[1])}\s*\(", text) for s in stack
                           if s[0] in ("def", "class"))):
                stack.pop()
            out[j] = " " * (col + 4 * len(stack)) + text
            if text.startswith("with ") and text.endswith(":"):
                stack.append(("with", "", False))
            elif re.match(r"(return|raise)\b", text) and stack and stack[-1][0] == "def":
                stack.pop()

    changed = [j for j in range(len(lines)) if out[j] != lines[j]]
    if not changed or not _gets_further(out, i):
        return None
    add(head + 1, f"lines {changed[0] + 1}–{changed[-1] + 1}: lost indentation restored "
                  "(def/class bodies indented under their headers)")
    return out


def _logical(lines: list[str], start: int) -> list[int]:
    """Indices of the lines from ``start`` on that begin a statement (not inside brackets or
    strings, not blank or comments), up to the first one left of ``lines[start - 1]``."""
    col = _indent(lines[start - 1]) if start > 0 else 0
    out: list[int] = []
    depth: list[str] = []
    state: str | None = None
    for j in range(start, len(lines)):
        continued = bool(depth) or state is not None
        depth, state = bracket_stack([lines[j]], depth, state)
        text = lines[j].strip()
        if continued or not text or text.startswith("#"):
            continue
        if _indent(lines[j]) < col:
            break
        out.append(j)
    return out


def _shift_body(lines: list[str], head: int, i: int, add: Add) -> list[str] | None:
    """A def/class body that lost one level: the lines at the header's column that belong to
    it (up to a def's ``return``; a class's methods), and everything deeper, shifted by 4."""
    col = _indent(lines[head])
    header = lines[head].strip()
    is_class = header.startswith("class ")
    name = re.split(r"[\s(:]", header.split(None, 1)[1] if " " in header else "")[0]
    body: list[int] = []
    seen_def = False
    for j in _logical(lines, head + 1):
        text = lines[j].strip()
        if _indent(lines[j]) > col:
            body.append(j)
            continue
        if re.search(rf"(?<![.\w]){re.escape(name)}\s*\(", text) or text.startswith(
                ("class ", "if __name__")):
            break
        if is_class:
            if text.startswith(("def ", "async def ", "@")):
                seen_def = True
            elif seen_def:
                break
            body.append(j)
        else:
            if text.startswith(("def ", "async def ", "@")):
                break
            body.append(j)
            if re.match(r"(return|raise)\b", text):
                break
    if not body:
        return None
    out = list(lines)
    for j in range(body[0], body[-1] + 1):
        if lines[j].strip():
            out[j] = "    " + lines[j]
    if not _gets_further(out, i):
        return None
    add(head + 1, f"lines {body[0] + 1}–{body[-1] + 1}: lost indentation restored (the body of "
                  f"`{header}` indented under it)")
    return out


# -- brackets and commas --------------------------------------------------------------------
def close_brackets(lines: list[str], i: int, add: Add) -> list[str] | None:
    """Close a bracket left open at the end of a call or list (line ``i`` opens it)."""
    col = _indent(lines[i])
    end = i
    for j in range(i + 1, len(lines)):
        text = lines[j].strip()
        if not text or text.startswith("#"):
            continue
        if _indent(lines[j]) <= col and text[0] not in CLOSE + ".+-*/%,=" and re.match(
                r"[A-Za-z_@]", text):
            break
        end = j
    before, state = bracket_stack(lines[:i])
    stack, _ = bracket_stack(lines[i:end + 1], before, state)
    if len(stack) <= len(before):
        return None
    closers = stack_closers(stack, before)
    last = lines[end]
    mask, _ = code_mask(last, None)
    cut = mask.rfind("c") + 1 if "c" in mask else len(last)
    code = last[:cut].rstrip()
    where = "at the end of the line"
    call = re.search(r"(.)\(([^()]*)\)$", code)
    if call and call.start() > 0 and call.group(1) in "\"')]0123456789":
        callee = _callee(code, call.start())
        if callee == "literal":  # a string, number or tuple is never called: close before it
            where = f"before {code[call.start() + 1:]}"
            code = code[:call.start() + 1] + closers[0] + code[call.start() + 1:]
            closers = closers[1:]
        elif callee == "call":
            one = code[:call.start() + 1] + closers[0] + code[call.start() + 1:] + closers[1:]
            raise ConfigError(f"`{code.strip()}` lacks a closing bracket, which can go in two "
                              f"places: `{one.strip()}` or `{(code + closers).strip()}`. Write "
                              "the one you mean.", where=f"line {end + 1}")
    out = list(lines)
    added = " ".join(repr(c) for c in CLOSE if c in stack_closers(stack, before))
    out[end] = code + closers + last[len(last[:cut].rstrip()):]
    if not _gets_further(out, end):
        return None
    add(end + 1, f"missing closing {added} added {where}")
    return out


def stack_closers(stack: list[str], before: list[str]) -> str:
    return "".join(CLOSE[OPEN.index(b)] for b in reversed(stack[len(before):]))


def _callee(code: str, k: int) -> str:
    """What ``code[k]`` ends: a ``literal`` (string, number, tuple), a ``call`` or ``other``."""
    if code[k] in "\"'0123456789":
        return "literal"
    if code[k] == "]":
        return "other"
    depth = 0
    for j in range(k, -1, -1):
        depth += {")": 1, "(": -1}.get(code[j], 0)
        if depth == 0:
            return "call" if j > 0 and re.match(r"[\w\])]", code[j - 1]) else "literal"
    return "other"


def insert_commas(lines: list[str], add: Add) -> list[str] | None:
    """Add the comma between list or argument items written on separate lines."""
    out = list(lines)
    stack: list[str] = []
    state: str | None = None
    fixed: list[int] = []
    for j, line in enumerate(lines):
        mask, _ = code_mask(line, state)
        stack, state = bracket_stack([line], stack, state)
        if not stack or stack[-1] == "{" or state is not None:
            continue
        cut = mask.rfind("c") + 1
        code = line[:cut].rstrip()
        if not code or not re.search(r"[\w)\]'\"]$", code):
            continue
        nxt = next((k for k in range(j + 1, len(lines)) if lines[k].strip()
                    and not lines[k].strip().startswith("#")), None)
        if nxt is None:
            continue
        start = lines[nxt].strip()
        if not re.match(r"[A-Za-z_'\"\d]", start) or re.match(
                r"(for|if|else|and|or|in|not|is|lambda)\b", start):
            continue
        out[j] = code + "," + line[len(code):]
        fixed.append(j)
    if not fixed or not _gets_further(out, fixed[0]):
        return None
    for j in fixed:
        add(j + 1, "missing comma between items on separate lines added")
    return out


# -- indentation as a whole ---------------------------------------------------------------
def dedent_block(lines: list[str], i: int, add: Add) -> list[str] | None:
    """A code block indented as a forum shows code (4 spaces), after prose or a blank line:
    the lines from ``i`` on that are indented at least as much, dedented together."""
    cut = len(lines[i]) - len(lines[i].lstrip())
    before = next((k for k in range(i - 1, -1, -1) if lines[k].strip()), None)
    if cut == 0 or (before is not None and lines[before].rstrip().endswith((":", "\\", ",", "("))):
        return None
    end = i
    for k in range(i, len(lines)):
        if lines[k].strip() and len(lines[k]) - len(lines[k].lstrip()) < cut:
            break
        end = k
    out = list(lines)
    for k in range(i, end + 1):
        out[k] = lines[k][cut:] if lines[k].strip() else lines[k]
    err = parse_error("\n".join(out))
    if err is not None and err[0] <= i + 1:
        return None
    add(i + 1, f"lines {i + 1}–{end + 1}: a code block indented by {cut} (as a forum shows "
                   "code) dedented")
    return out


def retab(lines: list[str], line_no: int, add: Add) -> list[str] | None:
    """Tabs mixed with spaces: a tab as 8 columns (Python 2) or 4 (most editors). Kept when
    only one width parses, or both give the same program; refused when they differ."""
    readings = {}
    for width in (8, 4):
        trial = [line[:len(line) - len(line.lstrip())].expandtabs(width) + line.lstrip()
                 for line in lines]
        try:
            readings[width] = (trial, ast.dump(ast.parse("\n".join(trial))))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    if not readings or "\t" not in "".join(lines):
        return None
    if len(readings) == 2 and readings[8][1] != readings[4][1]:
        raise ConfigError("tabs and spaces are mixed in the indentation, and a tab of 8 columns "
                          "and a tab of 4 give two different programs. Indent with spaces only.",
                          where=f"line {line_no}")
    width = 8 if 8 in readings else 4
    add(line_no, f"tabs mixed with spaces in the indentation read as {width} columns")
    return readings[width][0]



# -- prose glued to code --------------------------------------------------------------------
_LEAD = re.compile(r"^(\s*)((?:[A-Za-z][\w'’-]*,?\s+)+[A-Za-z][\w'’-]*[:.!?])\s*(\S.*)$")
_LEAD_KEYWORD = re.compile(r"^(\s*)((?:[A-Za-z][\w'’-]*\s+){2,})((?:import|from|class|def)\s.*)$")
_TRAIL = re.compile(r"^(.*[)\]])\s*([A-Z][\w'’-]*(?:\s+[\w'’-]+)*[.:!?]*)$")


def split_prose(line: str) -> tuple[str, str] | None:
    """(code, prose) for a line with prose glued before or after its code, else None.

    >>> split_prose("Here is my code: model = Sequential()")
    ('model = Sequential()', 'Here is my code:')
    >>> split_prose("model.summary()This prints the table")
    ('model.summary()', 'This prints the table')
    """
    for pattern in (_LEAD, _LEAD_KEYWORD):
        m = pattern.match(line)
        if m and parses_alone(m.group(3)) and is_prose(m.group(2)):
            return m.group(1) + m.group(3), m.group(2).strip()
    m = _TRAIL.match(line)
    if m and parses_alone(m.group(1)) and (is_prose(m.group(2)) or len(m.group(2).split()) == 1
                                           and not parses_alone(line)):
        return m.group(1), m.group(2)
    return None
