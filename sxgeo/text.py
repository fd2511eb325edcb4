"""Every user-facing text, in simplified Chinese (default) and English: one catalogue, one :func:`t`.

The texts live in the TOML files of ``sxgeo/data/text/``; each entry is a table
with a ``zh`` and an ``en`` string, for example::

    [gap.fitness]
    zh = "{minutes:g} 分钟健身圈未覆盖的社区"
    en = "Communities outside the {minutes:g}-minute fitness circle"

The core's message keys (rejected-row reasons, notes, load errors, analysis
warnings) have no prefix, because analyses and loaders store the *key* plus
its parameters and the shells (app, command line, reports) render it.  Every
other key has a namespace: ``app.``, ``report.``, ``cli.``, ``map.``,
``site.``, ``col.<column>``, ``val.<column>.<value>``, ``cat.<column>.<code>``,
``kind.<layer kind>``, ``gap.<list>``, ``load.``, ``fmt.``, ``bool.``.

This module is the only place that chooses a language.  Numbers of the plan
(minutes, thresholds, detour factors) are never written into a text: they are
parameters, filled from the targets file by the caller.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import TypeVar

from sxgeo.resources import package_file

__all__ = ["CATALOGUE_FILES", "LANGS", "LANG_NAMES", "catalogue", "choose", "has", "labels", "lang_or_default", "t"]

#: Languages of every text; the first is the default and the fallback.
LANGS = ("zh", "en")
#: Each language named in itself (the language switch shows these whatever the current language).
LANG_NAMES = MappingProxyType({"zh": "中文", "en": "English"})
#: The catalogue files in ``sxgeo/data/text/``.
CATALOGUE_FILES = (
    "messages.toml",
    "columns.toml",
    "values.toml",
    "app.toml",
    "map.toml",
    "cli.toml",
    "report.toml",
    "siting.toml",
    "print.toml",
    "regional.toml",
)

_T = TypeVar("_T")
_FORMATTER = string.Formatter()


def _flatten(table: Mapping, prefix: str, out: dict[str, dict[str, str]], where: str) -> None:
    """Collect the entries (tables holding language strings) of a nested TOML table under dotted keys."""
    for name, value in table.items():
        key = f"{prefix}{name}"
        if not isinstance(value, Mapping):
            raise ValueError(f"{where}: {key} is not a table")
        if any(isinstance(v, str) for v in value.values()):
            if set(value) != set(LANGS) or not all(isinstance(v, str) for v in value.values()):
                raise ValueError(f"{where}: {key} must have exactly the strings {', '.join(LANGS)}")
            if key in out:
                raise ValueError(f"{where}: {key} is defined twice")
            out[key] = dict(value)
        else:
            _flatten(value, f"{key}.", out, where)


@cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Every text: key -> {language: template}, read once from the catalogue files."""
    out: dict[str, dict[str, str]] = {}
    for name in CATALOGUE_FILES:
        path = package_file("data", "text", name)
        with path.open("rb") as fh:
            _flatten(tomllib.load(fh), "", out, name)
    return MappingProxyType({k: MappingProxyType(v) for k, v in out.items()})


def lang_or_default(lang: str | None) -> str:
    """``lang`` when it is one of :data:`LANGS`, else the default (Chinese)."""
    return lang if lang in LANGS else LANGS[0]


def choose(variants: Mapping[str, _T], lang: str = "zh") -> _T:
    """The variant of ``lang`` among per-language data (for example a target's ``name_zh``/``name_en``).

    For texts that come as data rather than from the catalogue; falls back to
    Chinese when ``lang`` is unknown or its variant is missing or empty.
    """
    value = variants.get(lang_or_default(lang))
    if value is None or (isinstance(value, str) and not value):
        return variants[LANGS[0]]
    return value


def _fill(template: str, params: Mapping[str, object]) -> str:
    """``template.format(**params)``, leaving a placeholder whose parameter is missing as it is.

    A value that does not suit its format (text where a number was expected)
    is written as plain text, so a message never fails to render.
    """
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        pass
    parts = []
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        parts.append(literal)
        if field is None:
            continue
        try:
            value = _FORMATTER.get_field(field, (), params)[0]
        except (KeyError, IndexError, AttributeError):
            parts.append("{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
            continue
        value = _FORMATTER.convert_field(value, conversion)
        try:
            parts.append(_FORMATTER.format_field(value, spec or ""))
        except (ValueError, TypeError):
            parts.append(str(value))
    return "".join(parts)


def t(key: str, lang: str = "zh", /, **params: object) -> str:
    """The text ``key`` in ``lang`` (``zh`` or ``en``), with ``params`` filled in.

    An unknown key is returned as is, so a missing text never crashes a report;
    an unknown language falls back to Chinese; a missing parameter leaves its
    ``{placeholder}`` in the text.
    """
    entry = catalogue().get(key)
    if entry is None:
        return key
    return _fill(entry[lang_or_default(lang)], params)


def has(key: str) -> bool:
    """Whether the catalogue holds ``key``."""
    return key in catalogue()


def labels(prefix: str, lang: str = "zh") -> dict[str, str]:
    """Every text under ``prefix`` in ``lang``, keyed by the rest of the key.

    ``labels("col", "en")["county_name"] == "County"``; templates are returned
    unfilled.
    """
    head = prefix.rstrip(".") + "."
    lang = lang_or_default(lang)
    return {k[len(head):]: v[lang] for k, v in catalogue().items() if k.startswith(head)}
