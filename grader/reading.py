"""The answer reader's vocabulary: text caps, reason codes, ParseError, locales, and the
helpers every layer of the reader uses for its messages and values.

>>> resolve_locale("de").decimal
','
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

__all__ = [
    "MAX_BITS", "MAX_EXPONENT", "MAX_INPUT_CHARS", "MAX_LITERAL_DIGITS", "MAX_NUMBER_CHARS",
    "Locale", "Notation", "NumberReading", "ParseError", "Reason", "check_size", "echo",
    "resolve_locale",
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
