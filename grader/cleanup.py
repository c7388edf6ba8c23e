"""Clean-up of student text before any number is read: NFKC and sign maps, control and
invisible characters refused, LaTeX, $…$ and unit words removed, rounding words found."""

from __future__ import annotations

import re
import unicodedata

from .reading import MAX_INPUT_CHARS, ParseError, Reason

__all__ = ["clean_value", "normalize_text", "split_approximate"]

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾", "0123456789+-()")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾]+")
_SIGNS = str.maketrans({
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u00d7": "x", "\u2715": "x", "\u2716": "x", "\u2a2f": "x",
    "\u00b7": "*", "\u22c5": "*", "\u2219": "*", "\u2217": "*",
    "\u00f7": "/", "\u2215": "/", "\u2044": "/",
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2248": "~", "\u2243": "~", "\u223c": "~",
    "\u221e": "inf", "\u2028": "\n", "\u2029": "\n",
})
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: a digit, then a vulgar fraction (¼ ½ ¾ ⅐ … ⅞ ↉): a mixed number
_MIXED_FRACTION = re.compile(r"[0-9][ \u00a0\u202f]*[\u00bc-\u00be\u2150-\u215f\u2189]")
#: 0x…, 0o…, 0b… at the start of a number
_HEXLIKE = re.compile(r"(?<![0-9A-Za-z_.])0[xXoObB][0-9A-Fa-f]+")


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}".rstrip()


def _bad_char(ch: str, where: int | None = None) -> ParseError:
    at = f" at position {where + 1}" if where is not None else ""
    cat = unicodedata.category(ch)
    if cat == "Cc":
        what = f"the control character {_describe(ch)}{at}; retype the answer as plain text"
    elif cat[0] == "C":
        what = (f"the invisible character {_describe(ch)}{at}; retype the answer instead of "
                "pasting it")
    elif unicodedata.decimal(ch, None) is not None or ch.isdigit():
        what = (f"the digit '{ch}' ({_describe(ch)}), which is not one of 0-9; "
                "type the number with the digits 0-9")
    else:
        what = (f"the character '{ch}' ({_describe(ch)}), which is not part of a number; "
                "use digits, + - * / ^ and parentheses")
    return ParseError(Reason.BAD_CHARACTER, f"it contains {what}.")


def normalize_text(text: str) -> str:
    """Plain ASCII for the grammars: NFKC, then minus/times/space/quote maps (P2).

    Control and invisible characters (bidi marks, zero-width joiners) are rejected, and so are
    digits that NFKC does not map to 0-9. Superscripts become ``^{…}`` first (``10⁷`` →
    ``10^{7}``), because NFKC would turn them into plain digits. A leading BOM is dropped.

    >>> normalize_text("5.08·10⁷ − １２"), normalize_text("50\u202f828")
    ('5.08*10^{7} - 12', '50 828')
    """
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(Reason.TOO_LONG, f"it is {len(text):,} characters long and the limit "
                         f"is {MAX_INPUT_CHARS:,}; type just the answer, e.g. 1792.")
    bad = _ASCII_CONTROL.search(text)
    if bad:
        raise _bad_char(bad.group(), bad.start())
    hexlike = _HEXLIKE.search(text)
    if hexlike:  # '0x700' is no count in any notation; reading it as 0·700 would grade 0
        raise ParseError(Reason.SYNTAX, f"'{hexlike.group()}' looks like a hexadecimal, octal or "
                         "binary literal; type the count in decimal digits.")
    if not text.isascii():
        text = text.removeprefix("\ufeff")
        mixed = _MIXED_FRACTION.search(text)
        if mixed:  # NFKC turns '1⅔' into '12⁄3', which would read as 12/3 = 4
            raise ParseError(Reason.BAD_CHARACTER, f"it contains the mixed number "
                             f"'{mixed.group()}'; counts are whole numbers: type the digits 0-9.")
        bad_chars = [ch for ch in set(text) if ch > "\x7f" and unicodedata.category(ch)[0] == "C"]
        if bad_chars:
            first = min(text.index(ch) for ch in bad_chars)
            raise _bad_char(text[first], first)
        text = _SUPERSCRIPT_RUN.sub(lambda m: "^{" + m.group().translate(_SUPERSCRIPT) + "}", text)
        text = _nfkc(text).translate(_SIGNS)
        if len(text) > MAX_INPUT_CHARS:
            raise ParseError(Reason.TOO_LONG, f"it expands to more than {MAX_INPUT_CHARS:,} "
                             "characters; type just the answer, e.g. 1792.")
        if not text.isascii():
            raise _bad_char(next(ch for ch in text if ch > "\x7f"))
        bad = _ASCII_CONTROL.search(text)
        if bad:
            raise _bad_char(bad.group())
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _nfkc(text: str) -> str:
    """NFKC, refusing early when the result would pass the cap (U+FDFA expands 18-fold).

    Chunks are measured first; joining them changes the length by at most a few characters
    per boundary (recomposition), hence the margin.
    """
    if len(text) > 256:
        total = 0
        for i in range(0, len(text), 256):
            total += len(unicodedata.normalize("NFKC", text[i:i + 256]))
            if total > MAX_INPUT_CHARS + 64:
                raise ParseError(Reason.TOO_LONG, f"it expands to more than {MAX_INPUT_CHARS:,} "
                                 "characters; type just the answer, e.g. 1792.")
    return unicodedata.normalize("NFKC", text)


_LATEX_SPACE = re.compile(r"\\(?:[,;: ]|(?:quad|qquad|thinspace)(?![A-Za-z]))")
_LATEX_TEXT = re.compile(r"\\(?:text|textrm|mathrm|mbox|operatorname)\s*\{([^{}\\]*)\}")
_LATEX_DROP = re.compile(r"\\!|\\(?:left|right|displaystyle)(?![A-Za-z])")
_LATEX_TIMES = re.compile(r"\\times(?![A-Za-z])")
_LATEX_CDOT = re.compile(r"\\(?:cdot|ast)(?![A-Za-z])")
_LATEX_FRAC = re.compile(r"\\[dt]frac(?![A-Za-z])")
_UNITS = re.compile(r"(?<![A-Za-z])\s*(?:trainable\s+)?(?:parameters?|params?|weights?|p)\.?$",
                    re.IGNORECASE)
_WRAPPERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))


def _unwrap(s: str) -> str:
    for left, right in _WRAPPERS:
        if len(s) >= len(left) + len(right) and s.startswith(left) and s.endswith(right):
            return s[len(left):len(s) - len(right)].strip()
    return s


def clean_value(s: str) -> str:
    """One value, ready for the grammars: ``$…$`` and LaTeX spacing/commands rewritten,
    whitespace collapsed, and a trailing unit word (params, parameters, weights, p) removed.

    >>> clean_value(r"$5.0828751 \\times 10^{7}$ trainable parameters")
    '5.0828751 x 10^{7}'
    """
    s = _unwrap(s.strip())
    if "\\" in s or "{,}" in s:
        s = _LATEX_TEXT.sub(r" \1 ", _LATEX_SPACE.sub(" ", s))
        s = _LATEX_DROP.sub("", s).replace("{,}", ",")
        s = _LATEX_CDOT.sub(" * ", _LATEX_TIMES.sub(" x ", s))
        s = _LATEX_FRAC.sub(r"\\frac", s)
    s = " ".join(s.split())
    if s[-1:].isalpha() or s.endswith("."):
        s = _UNITS.sub("", s)
    return _unwrap(s.strip())


_APPROX = re.compile(r"(?:~=?|(?:approx(?:imately|\.)?|about|around|roughly|circa|ca\.)"
                     r"(?![A-Za-z]))\s*", re.IGNORECASE)


def split_approximate(s: str) -> str | None:
    """The rest of ``s`` if it starts with ≈, ~ or a word like "about"; else None.

    >>> split_approximate("~1.8k"), split_approximate("1792")
    ('1.8k', None)
    """
    m = _APPROX.match(s)
    return s[m.end():] if m else None
