"""Number notations: read one number exactly.

A layer of the answer parser (the public API is :mod:`grader.parse`). The reason codes, text
caps and :class:`ParseError` are in :mod:`grader.reading`, the text clean-up in
:mod:`grader.cleanup`. Numbers are read with regular expressions into ``int``
and ``Fraction``; nothing here evaluates text.

>>> from grader.reading import resolve_locale
>>> read_number("50 828 751", resolve_locale(None))
NumberReading(value=Fraction(50828751, 1), notation=<Notation.GROUPED: 'grouped'>, approximate=False)
"""

from __future__ import annotations

import re
from fractions import Fraction

from .reading import (
    MAX_EXPONENT,
    MAX_LITERAL_DIGITS,
    MAX_NUMBER_CHARS,
    Locale,
    Notation,
    NumberReading,
    ParseError,
    Reason,
    check_size,
    echo,
)

__all__ = ["format_value", "has_operator", "read_number", "read_numeral"]

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

    >>> from grader.reading import resolve_locale
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

    >>> from grader.reading import resolve_locale
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
            _exponent(exp_text)
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
