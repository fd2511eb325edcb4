"""Lenient reading of numbers and coordinates as planners type them: units, Chinese numerals, DMS, decimal commas.

Each parser returns the number it understood, or None when the text cannot be
understood; it never guesses a value (an unreadable text is never 0).  The
callers (:func:`sxgeo.io._validate.parse_columns` and the coordinate checks of
:func:`sxgeo.io.load.load_layer`) note every value that was read from anything
but a plain number, so the planner can see what was read.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_plain_number", "parse_coordinate", "parse_number", "show_number"]

_PLAIN = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]+,[0-9]+$")
_DECIMAL_COMMA_DOTS = re.compile(r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+$")
#: Unit words that may follow a count or an area; longest first.
_UNITS = (
    "平方米", "平米", "㎡", "m²", "m2", "张床", "床位", "个", "张", "人", "名", "所", "座", "处", "床", "户",
    "间", "年", "米", "m", "位",
)
_UNIT_RE = re.compile("(?:" + "|".join(re.escape(u) for u in _UNITS) + r")$")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_DMS = re.compile(
    r"^(?:东经|北纬|[EN])?\s*(?P<d>[0-9]+(?:\.[0-9]+)?)\s*(?:°|度)\s*"
    r"(?:(?P<m>[0-9]+(?:\.[0-9]+)?)\s*(?:'|′|分))?\s*"
    r"(?:(?P<s>[0-9]+(?:\.[0-9]+)?)\s*(?:\"|″|′′|''|秒))?\s*(?:[EN])?$",
    re.IGNORECASE,
)


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is a plain decimal number (``180``, ``-3.5``), read as it is without a note."""
    return bool(_PLAIN.match(text))


def show_number(value: float) -> str:
    """A number for a note: integers without a decimal point, others to 7 decimals at most."""
    if float(value).is_integer():
        return str(int(value))
    return f"{round(float(value), 7)}"


def _chinese_below_10000(text: str) -> int | None:
    """十五 -> 15, 一百二十 -> 120, 两千零五 -> 2005; None if not a simple Chinese numeral."""
    if not text:
        return None
    total, digit, seen_unit = 0, None, False
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row (一二) is not a number word
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if digit is None:
                if ch != "十" or total:
                    return None
                digit = 1  # 十五: a leading 十 is one ten
            total += digit * unit
            digit, seen_unit = None, True
        else:
            return None
    if digit is not None:
        total += digit
    return total if (seen_unit or len(text) == 1) else None


def _chinese(text: str) -> int | None:
    """A simple Chinese numeral up to 亿, or digits followed by 万 (3万 -> 30000)."""
    if "万" in text:
        high, _, low = text.partition("万")
        h = float(high) if _PLAIN.match(high) else _chinese_below_10000(high)
        rest = _chinese_below_10000(low) if low else 0
        if h is None or rest is None:
            return None
        return int(round(h * 10000)) + rest
    return _chinese_below_10000(text)


def parse_number(text: str, *, decimal_comma: bool = False) -> float | None:
    """The number in ``text`` (already NFKC-normalised and stripped), or None.

    Understood: plain numbers; thousands separators (``3,000``); a unit after the
    number (``80张``, ``120人``, ``3,000平方米``); simple Chinese numerals (``二十``,
    ``一百二十``, ``两千``, ``十五``, ``3万``); with ``decimal_comma`` (a
    ``;``-separated file) a decimal comma (``112,565``, ``1.234,5``).
    """
    s = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if not s:
        return None
    if _PLAIN.match(s):
        return float(s)
    s = _UNIT_RE.sub("", s)
    if _PLAIN.match(s):
        return float(s)
    if decimal_comma and (_DECIMAL_COMMA.match(s) or _DECIMAL_COMMA_DOTS.match(s)):
        return float(s.replace(".", "").replace(",", "."))
    if _THOUSANDS.match(s):
        return float(s.replace(",", ""))
    n = _chinese(s)
    return None if n is None else float(n)


def parse_coordinate(text: str, *, decimal_comma: bool = False) -> float | None:
    """A longitude or latitude in decimal degrees or degrees-minutes-seconds, or None.

    ``112°33'54"``, ``112°33′54″`` and ``112度33分54秒`` are all 112.565; minutes
    and seconds must be below 60.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return None
    if _PLAIN.match(s):
        return float(s)
    if decimal_comma and _DECIMAL_COMMA.match(s):
        return float(s.replace(",", "."))
    m = _DMS.match(s.replace(" ", ""))
    if not m:
        return None
    minutes = float(m["m"] or 0)
    seconds = float(m["s"] or 0)
    if minutes >= 60 or seconds >= 60 or (m["s"] is not None and m["m"] is None):
        return None
    return float(m["d"]) + minutes / 60 + seconds / 3600
