"""Number notations: clean up student text and read one number exactly.

The lowest layer of the answer parser (the public API is :mod:`grader.parse`). It owns the
reason codes, the text caps and :class:`ParseError`, which every layer raises and the public
API turns into an ``Invalid`` result. Numbers are read with regular expressions into ``int``
and ``Fraction``; nothing here evaluates text.

>>> read_number("50 828 751", resolve_locale(None))
NumberReading(value=Fraction(50828751, 1), notation=<Notation.GROUPED: 'grouped'>, approximate=False)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

__all__ = [
    "MAX_BITS", "MAX_EXPONENT", "MAX_INPUT_CHARS", "MAX_LITERAL_DIGITS", "MAX_NUMBER_CHARS",
    "Locale", "Notation", "NumberReading", "ParseError", "Reason", "check_size", "clean_value",
    "echo", "format_value", "has_operator", "normalize_text", "read_numeral", "read_number", "resolve_locale",
    "split_approximate",
]

MAX_INPUT_CHARS = 4_000   # a whole answer (breakdowns included), checked before anything else
MAX_NUMBER_CHARS = 64     # one number once LaTeX, $…$ and unit words are removed (P2)
MAX_LITERAL_DIGITS = 80   # digits in one literal, so int() never meets CPython's 4,300 limit
MAX_EXPONENT = 64         # |n| in 1e<n>, x10^<n> and a ** n
MAX_BITS = 256            # every value (numerator and denominator) stays <= 2**256


class Reason(StrEnum):
    """Stable codes for why an answer could not be read (never contain student text).

    >>> Reason.AMBIGUOUS_SEPARATOR == "ambiguous_separator"
    True
    """

    EMPTY = "empty"                            # nothing but spaces
    TOO_LONG = "too_long"                      # input, number or literal over its length cap
    BAD_CHARACTER = "bad_character"            # control, invisible or non-ASCII-digit character
    UNKNOWN_WORD = "unknown_word"              # a name: factorial, __import__, lambda, conv1 …
    NOT_A_NUMBER = "not_a_number"              # nan, inf; a calculation where one number is due
    SYNTAX = "syntax"                          # misplaced operator, unbalanced bracket, bad JSON
    AMBIGUOUS_SEPARATOR = "ambiguous_separator"  # 1,234 or 1.234 without a locale
    BAD_GROUPING = "bad_grouping"              # 1,234,5 or 12,34,567 outside en_IN
    AMBIGUOUS_SUFFIX = "ambiguous_suffix"      # 50.8m: milli or million?
    APPROXIMATE = "approximate"                # ≈ / ~ / "about" in front of the answer
    NEGATIVE = "negative"                      # a count below zero
    TOO_DEEP = "too_deep"                      # brackets or signs nested too deep
    TOO_MANY_TERMS = "too_many_terms"          # too many expression nodes or breakdown entries
    EXPONENT_TOO_LARGE = "exponent_too_large"  # |exponent| > MAX_EXPONENT
    BAD_EXPONENT = "bad_exponent"              # a power with a non-integer exponent
    RESULT_TOO_LARGE = "result_too_large"      # a value beyond 2**256
    DIVISION_BY_ZERO = "division_by_zero"
    BAD_SHAPE = "bad_shape"                    # a shape with 0, a misplaced batch entry, …
    BAD_LABEL = "bad_label"                    # a breakdown label outside the label charset


class Notation(StrEnum):
    """How a number was written.

    >>> str(Notation.SCIENTIFIC)
    'scientific'
    """

    PLAIN = "plain"            # 1792, 2.5
    GROUPED = "grouped"        # 50,828,751  50 828 751  50_828_751  1.234,5
    SCIENTIFIC = "scientific"  # 5.0828751e7  5.08 × 10^7  10⁷
    SUFFIX = "suffix"          # 50.8M  50.8 million  1.2k


class ParseError(ValueError):
    """Why a piece of student text was rejected; the public API turns it into ``Invalid``.

    ``detail`` is a clause for the student ("1,234 could be ...; type ..."); ``reading`` says
    how the text was read, when that helps.

    >>> ParseError(Reason.EMPTY, "the answer is empty.").reason
    <Reason.EMPTY: 'empty'>
    """

    def __init__(self, reason: Reason, detail: str, reading: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.reading = reading


@dataclass(frozen=True, slots=True)
class Locale:
    """Which mark is the decimal mark ('.', ',' or None = undecided); Indian grouping on/off."""

    decimal: str | None
    indian: bool = False


_POINT = {"en", "ja", "zh", "ko", "th", "he", "ms"}
_COMMA = {"de", "fr", "es", "it", "nl", "pt", "ru", "pl", "cs", "sk", "sv", "da", "fi", "nb",
          "nn", "no", "tr", "id", "ro", "hu", "uk", "el", "bg", "hr", "sl", "sr", "lt", "lv",
          "et", "ca", "gl", "eu", "is", "vi"}
_NO_LOCALE = Locale(None)


@functools.lru_cache(maxsize=64)
def resolve_locale(locale: str | None) -> Locale:
    """The separator rules of a course locale such as "en", "en_IN", "de_CH" or "fr-FR".

    Only the language decides (plus en_IN for 12,34,567). An unknown locale is an author
    error and raises ValueError; None leaves 1,234 and 1.234 ambiguous.

    >>> resolve_locale("de_CH"), resolve_locale("en-IN").indian
    (Locale(decimal=',', indian=False), True)
    """
    if locale is None:
        return _NO_LOCALE
    tag = str(locale).strip().replace("-", "_").lower()
    lang = tag.split("_", 1)[0]
    if lang in _POINT:
        return Locale(".", indian=tag == "en_in")
    if lang in _COMMA:
        return Locale(",")
    raise ValueError(f"unsupported locale {locale!r}: use None or a language such as 'en', "
                     f"'en_IN', 'de' or 'fr' (supported: {', '.join(sorted(_POINT | _COMMA))}).")


@dataclass(frozen=True, slots=True)
class NumberReading:
    """The exact value of one number, how it was written, and whether it looks rounded."""

    value: Fraction
    notation: Notation
    approximate: bool


# -- text clean-up -----------------------------------------------------------------------
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


def echo(s: str, limit: int = 40) -> str:
    """Quote student text for a message, shortened to ``limit`` characters.

    >>> echo("x" * 50, 10)
    "'xxxxxxxxx…'"
    """
    return "'" + (s if len(s) <= limit else s[:limit - 1] + "…") + "'"


def check_size(value: Fraction) -> Fraction:
    """``value`` if its numerator and denominator are at most 2**256, else ParseError.

    >>> check_size(Fraction(2) ** 256) == 2 ** 256
    True
    """
    limit = 1 << MAX_BITS
    if abs(value.numerator) > limit or value.denominator > limit:
        raise ParseError(Reason.RESULT_TOO_LARGE, f"a value in it is larger than 2^{MAX_BITS}, "
                         "far beyond any parameter count; check the powers and products.")
    return value


# -- numerals ------------------------------------------------------------------------------
_SEP = re.compile(r"[.,'_ ]")
_LEAD = re.compile(r"[1-9][0-9]{0,2}")
_NAMES = {".": "dot", ",": "comma", "'": "apostrophe", "_": "underscore", " ": "space"}


def _grouped_int(num: str, parts: list[str], sep: str, loc: Locale) -> int:
    first, rest = parts[0], parts[1:]
    western = _LEAD.fullmatch(first) is not None and all(len(p) == 3 for p in rest)
    indian = (loc.indian and sep == "," and 1 <= len(first) <= 2 and first[0] != "0"
              and len(rest[-1]) == 3 and all(len(p) == 2 for p in rest[:-1]))
    if not (western or indian):
        sizes = "/".join(str(len(p)) for p in parts)
        raise ParseError(Reason.BAD_GROUPING, f"in {echo(num)} the digit groups have "
                         f"{sizes} digits, but every group after the first must have exactly "
                         f"three (50,828,751 or 50 828 751); or type the digits without "
                         f"separators, e.g. {''.join(parts)}.")
    return int("".join(parts))


def _ambiguous(num: str, sep: str, parts: list[str]) -> ParseError:
    whole = int("".join(parts))
    mark = "decimal point" if sep == "." else "decimal mark"
    reading = (f"{num} could be {whole} (the {_NAMES[sep]} grouping thousands) or "
               f"{parts[0]}.{parts[1]} (the {_NAMES[sep]} as a {mark})")
    return ParseError(Reason.AMBIGUOUS_SEPARATOR, f"{reading}; type the number without "
                      f"separators, e.g. {whole}.", reading)


def read_numeral(num: str, loc: Locale) -> tuple[Fraction, bool]:
    """Value of digits with group separators and/or one decimal mark, and whether grouped.

    A lone ``.`` or ``,`` before exactly three digits (1,234) is ambiguous unless the locale
    decides; two or more equal marks (1.234.567) or two different ones (1,234.5) decide.

    >>> read_numeral("1.234.567", resolve_locale(None)), read_numeral("2,5", resolve_locale(None))
    ((Fraction(1234567, 1), True), (Fraction(5, 2), False))
    """
    seps = _SEP.findall(num)
    if not seps:
        if len(num) > MAX_LITERAL_DIGITS:
            raise _too_many_digits(num)
        return Fraction(int(num)), False
    parts = _SEP.split(num)
    if sum(map(len, parts)) > MAX_LITERAL_DIGITS:
        raise _too_many_digits(num)
    last = seps[-1]
    if parts[0] == "" and len(parts) == 2 and last in ".,":   # .5
        return Fraction(int(parts[1]), 10 ** len(parts[1])), False
    kinds = set(seps)
    if len(kinds) == 1:
        if last in " '_" or len(seps) >= 2:
            return Fraction(_grouped_int(num, parts, last, loc)), True
        if loc.decimal is None and _LEAD.fullmatch(parts[0]) and len(parts[1]) == 3:
            raise _ambiguous(num, last, parts)
        if loc.decimal is not None and loc.decimal != last:
            return Fraction(_grouped_int(num, parts, last, loc)), True
        return Fraction(int(parts[0] + parts[1]), 10 ** len(parts[1])), False
    if len(kinds) == 2 and last in ".," and seps.count(last) == 1 and parts[0]:
        group = (kinds - {last}).pop()
        whole = _grouped_int(num, parts[:-1], group, loc)
        return whole + Fraction(int(parts[-1]), 10 ** len(parts[-1])), True
    raise ParseError(Reason.BAD_GROUPING, f"{echo(num)} mixes separators in a way we cannot "
                     "read; type the digits without separators (e.g. 50828751) or with "
                     "commas between groups of three (50,828,751).")


def _too_many_digits(num: str) -> ParseError:
    return ParseError(Reason.TOO_LONG, f"the number {echo(num)} has more than "
                      f"{MAX_LITERAL_DIGITS} digits; check it.")


# -- one number ---------------------------------------------------------------------------
_NUMERAL = r"(?:[0-9](?:[0-9]|[.,'_ ](?=[0-9]))*|[.,][0-9]+)"
_EXP = r"(?:\{ ?[+-]?[0-9]+ ?\}|\( ?[+-]?[0-9]+ ?\)|[+-]?[0-9]+)"
_NUMBER = re.compile(
    rf"(?P<sign>[+-])? ?(?:(?P<num>{_NUMERAL})(?:[eE](?P<eexp>[+-]?[0-9]+)"
    rf"| ?[xX*] ?10 ?(?:\^|\*\*) ?(?P<texp>{_EXP})"
    rf"| ?(?P<suffix>[kKMBGT]|(?i:thousand|million|billion|trillion)))?"
    rf"|10 ?(?:\^|\*\*) ?(?P<pexp>{_EXP}))", re.ASCII)
_MANTISSA = re.compile(r"[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+")
_SUFFIX = {"k": 3, "K": 3, "M": 6, "B": 9, "G": 9, "T": 12,
           "thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_MILLI = re.compile(rf"[+-]? ?{_NUMERAL} ?m", re.ASCII)
_WORD = re.compile(r"[A-Za-z_]+")
_OPERATOR = re.compile(r"[-+*/^()\[\]{}\\]|(?<![A-Za-z])[xX](?![A-Za-z])")
_NAN = {"nan", "inf", "infinity", "nil", "null", "undefined"}


def _exponent(text: str) -> int:
    n = int(text.strip("{}() "))
    if abs(n) > MAX_EXPONENT:
        raise ParseError(Reason.EXPONENT_TOO_LARGE, f"the power of ten {n} is beyond "
                         f"±{MAX_EXPONENT}; no network has that many parameters, so check it.")
    return n


def read_number(v: str, loc: Locale) -> NumberReading | None:
    """Read cleaned text as one number, or None if it is not number-shaped.

    Accepted: plain and grouped digits (see :func:`read_numeral`), ``5.08e7``,
    ``5.08 x 10^7`` / ``*10**7`` / ``10^{7}``, a bare ``10^7`` (exact: there is no mantissa
    to round), and the suffixes k K M B G T, thousand, million, billion, trillion. Suffix
    forms are always *approximate*; scientific forms are approximate when the mantissa has at
    most three significant digits (the issue's rule) or its digits stop before the units
    place (``5.0829e7`` = 50,829,000 pads zeros; ``5.0828751e7`` does not). Number-shaped
    text that breaks a rule raises ParseError.

    >>> read_number("50.8M", resolve_locale(None)).value, read_number("3*3", resolve_locale(None))
    (Fraction(50800000, 1), None)
    """
    if len(v) > MAX_NUMBER_CHARS:
        raise ParseError(Reason.TOO_LONG, f"the number {echo(v)} is {len(v)} characters long "
                         f"and the limit is {MAX_NUMBER_CHARS}; type the exact count, "
                         "e.g. 50828751.")
    m = _NUMBER.fullmatch(v)
    if m is None:
        _diagnose(v)
        return None
    num, suffix = m["num"], m["suffix"]
    exp_text = m["eexp"] or m["texp"] or m["pexp"]
    if exp_text is None and suffix is None:
        value, grouped = read_numeral(num, loc)
        notation, approximate = (Notation.GROUPED if grouped else Notation.PLAIN), False
    else:
        mantissa = num or "1"
        if not _MANTISSA.fullmatch(mantissa):
            raise ParseError(Reason.BAD_GROUPING, f"the mantissa {echo(mantissa)} has digit "
                             "groups; write it as one decimal number, e.g. 5.0828751e7.")
        whole, _, frac = mantissa.replace(",", ".").partition(".")
        value = Fraction(int(whole + frac or "0"), 10 ** len(frac))
        shift = _SUFFIX[suffix if suffix in _SUFFIX else suffix.lower()] if suffix else \
            _exponent(exp_text)  # type: ignore[arg-type]
        value = check_size(value * Fraction(10) ** shift)
        significant = len((whole + frac).lstrip("0"))
        notation = Notation.SUFFIX if suffix else Notation.SCIENTIFIC
        approximate = bool(suffix) or (num is not None and (significant <= 3
                                                            or shift > len(frac)))
    if m["sign"] == "-":
        value = -value
    return NumberReading(check_size(value), notation, approximate)


def has_operator(v: str) -> bool:
    """Whether cleaned text contains an arithmetic operator or bracket.

    >>> has_operator("5 x 5"), has_operator("50,828,751")
    (True, False)
    """
    return _OPERATOR.search(v) is not None


def _diagnose(v: str) -> None:
    """Raise the best reason for text that is not one number, or return if it has operators."""
    if _OPERATOR.search(v):
        return  # the expression grammar gives the better message (and reads \\frac)
    if _MILLI.fullmatch(v):
        raise ParseError(Reason.AMBIGUOUS_SUFFIX, f"the 'm' in {echo(v)} could mean milli or "
                         "million; type the exact count, e.g. 50828751.")
    for w in _WORD.finditer(v):
        word = w.group()
        before, after = v[w.start() - 1:w.start()], v[w.end():w.end() + 1]
        if word in ("e", "E") and before.isdigit() and (after.isdigit() or after in "+-"):
            continue
        if word in _SUFFIX or word.lower() in _SUFFIX or word in ("x", "X"):
            continue
        if word.lower() in _NAN:
            raise ParseError(Reason.NOT_A_NUMBER, f"{echo(word)} is not a count; type the "
                             "exact number of parameters as digits, e.g. 1792.")
        full = re.match(r"\\?[A-Za-z_][A-Za-z0-9_]*", v[w.start() - (before == "\\"):])
        shown = full.group() if full else word
        raise ParseError(Reason.UNKNOWN_WORD, f"{echo(shown)} is not a number or an operator; "
                         "use only digits, + - * / ^ and parentheses, e.g. (3*3*3+1)*64.")
    raise ParseError(Reason.SYNTAX, f"{echo(v)} is not one number we can read; type the exact "
                     "count, e.g. 50828751, 50,828,751 or 5.0828751e7.")


def format_value(value: Fraction) -> str:
    """A value for messages: thousands separators, exact decimals, else a fraction.

    >>> format_value(Fraction(50828751)), format_value(Fraction(-2469, 2)), format_value(Fraction(1, 3))
    ('50,828,751', '-1,234.5', '1/3')
    """
    num, den = value.numerator, value.denominator
    if den == 1:
        return f"{num:,}"
    twos = (den & -den).bit_length() - 1
    rest, fives = den >> twos, 0
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        return f"{num:,}/{den:,}"
    k = max(twos, fives)
    scaled = abs(num) * 10**k // den
    whole, frac = divmod(scaled, 10**k)
    sign = "-" if num < 0 else ""
    return f"{sign}{whole:,}." + f"{frac:0{k}d}".rstrip("0")
