"""Reading damaged source as text: which characters are code, which lines are prose.

The tolerant reader (:mod:`.repair`) must never touch what is inside a string or a comment,
and it cannot tokenize code that does not parse yet; :func:`code_mask` is a small scanner
that tells code, string and comment characters apart line by line, carrying triple-quoted
strings over lines. Nothing here runs code; :func:`parse_error` only calls :func:`ast.parse`.

>>> code_mask("x = f('a#b')  # note", None)
('ccccccsssssccc######', None)
>>> is_prose("Here is my model, it gives an error:"), is_prose("model.add(Dense(10))")
(True, False)
>>> is_prose("Thanks!"), is_prose("Flatten")
(True, False)
"""

from __future__ import annotations

import ast
import keyword
import re
import warnings

__all__ = ["bracket_stack", "code_mask", "is_output", "is_prose", "parse_error", "parses_alone"]

OPEN, CLOSE = "([{", ")]}"


def code_mask(line: str, state: str | None) -> tuple[str, str | None]:
    """One character per character of ``line``: ``c`` code, ``s`` string, ``#`` comment.

    ``state`` is the triple quote a string opened on an earlier line is waiting for (or
    None); the state after the line is returned. A one-line string left open ends at the
    end of the line, as the tokenizer would refuse it anyway.
    """
    mask: list[str] = []
    i, n = 0, len(line)
    quote = state
    while i < n:
        if quote is not None:
            end = _string_end(line, i, quote)
            if end < 0:
                mask.extend("s" * (n - i))
                return "".join(mask), quote if len(quote) == 3 else None
            mask.extend("s" * (end - i))
            i, quote = end, None
            continue
        ch = line[i]
        if ch == "#":
            mask.extend("#" * (n - i))
            break
        if ch in "'\"":
            quote = line[i:i + 3] if line[i:i + 3] in ("'''", '"""') else ch
            mask.extend("s" * len(quote))
            i += len(quote)
            continue
        mask.append("c")
        i += 1
    return "".join(mask), quote if quote is not None and len(quote) == 3 else None


def _string_end(line: str, i: int, quote: str) -> int:
    """Index after the closing ``quote`` at or after ``i``, or -1."""
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line.startswith(quote, i):
            return i + len(quote)
        i += 1
    return -1


def bracket_stack(lines: list[str], stack: list[str] | None = None,
                  state: str | None = None) -> tuple[list[str], str | None]:
    """The brackets left open after ``lines`` (code characters only), and the string state."""
    stack = list(stack or [])
    for line in lines:
        mask, state = code_mask(line, state)
        for ch, m in zip(line, mask, strict=False):
            if m != "c":
                continue
            if ch in OPEN:
                stack.append(ch)
            elif ch in CLOSE and stack and OPEN.index(stack[-1]) == CLOSE.index(ch):
                stack.pop()
    return stack, state


def parse_error(text: str) -> tuple[int, str] | None:
    """(line, message) of the first syntax error, or None when the text parses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as e:
        return (e.lineno or 0), str(e.msg)
    except (ValueError, RecursionError, MemoryError):
        return None  # the importer's own parse() explains these
    return None


def parses_alone(text: str) -> bool:
    """Whether one line is a statement by itself (a block header counts, with a body)."""
    s = text.strip()
    if not s:
        return True
    return any(parse_error(t) is None for t in (s, s + "\n    pass"))


_WORD = re.compile(r"^[(\"']?[A-Za-z][A-Za-z'’-]*[)\"']?[.,:;!?]*$")
_LABEL = re.compile(r"^[A-Z][A-Za-z]*( [A-Za-z]+){0,3}:$")
_OUTPUT = re.compile(
    r"^(Epoch \d+/\d+|\d+/\d+ \[[=>.]*\]|(Total|Trainable|Non-trainable) params: [\d,.]+|"
    r"[=_\-*~ ]{6,}$|Layer \(type\)\s+Output Shape|\w+ \(\w+\)\s{2,}[(\[]|"
    r"Model: \"|Using \w+ backend|\w+(\.\w+)*(Error|Exception|Warning): )")


#: a line that opens with Markdown bold (**LeNet-5 with batch norm** ...): no Python does
_BOLD = re.compile(r"^\*\*[^*\s][^*]* [^*]*\*\*")
_CODE_SIGN = re.compile(r"\w\(|\w\.\w|=|[\[\]{}]")


def is_output(line: str) -> bool:
    """A line of program output (a Keras summary row, a training log, an error message)."""
    return bool(_OUTPUT.match(line.strip()))


def is_prose(line: str) -> bool:
    """A line of natural language (not code): words, not Python, not damaged code.

    Conservative on purpose: a damaged code line taken for prose would lose a layer.
    """
    s = line.strip()
    if not s or s.startswith("#") or parses_alone(s):
        return False
    if is_output(s) or _LABEL.match(s) or _BOLD.match(s):
        return True
    tokens = s.split()
    plain = [bool(_WORD.match(t)) for t in tokens]
    run = best = 0
    for p in plain:
        run = run + 1 if p else 0
        best = max(best, run)
    words = [t.strip("()\"'.,:;!?").lower() for t, p in zip(tokens, plain, strict=True) if p]
    keywords = sum(w in keyword.kwlist or w in ("print", "self") for w in words)
    if keywords * 3 > max(len(words), 1):
        return False
    if _CODE_SIGN.search(s):  # a call, an attribute, an assignment or an index: damaged code,
        # unless it is a sentence that mentions code ("I get 1,199 from summary().")
        return best >= 5 and plain[0] and tokens[0][0].isupper() and s[-1] in ".?!:"
    if len(tokens) == 1 and plain[0] and s[0].isupper() and s[-1] in "!?.":
        return True  # "Thanks!", "Cheers." after the code: not a statement
    return best >= 3 or (all(plain) and len(tokens) >= 2)
