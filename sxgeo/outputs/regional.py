"""The regional medical scenario as a workbook (XLSX) and as an HTML section for the reports."""

from __future__ import annotations

import html
import math
from pathlib import Path

import pandas as pd

from sxgeo.analysis.regional import RegionalReach
from sxgeo.formatting import fmt_count, fmt_percent
from sxgeo.outputs.tables import to_xlsx_bytes
from sxgeo.text import choose, has, lang_or_default, t

__all__ = ["SHEETS", "regional_html", "regional_sheets", "regional_xlsx_bytes", "write_regional_xlsx"]

#: The workbook's sheets, in order (titles ``regional.sheet.<name>`` in the text catalogue).
SHEETS = ("summary", "cities", "counties", "gainers", "outside", "sites", "about")
#: Columns read as shares (shown in percent; ``gain`` is a difference of shares).
_SHARES = ("share_before", "share_after", "gain", "share_outside")
_REACH = ["threshold_min", "population", "covered_before", "covered_after", "share_before", "share_after", "gain"]


def _headers(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The scenario's own columns under their ``regional.col.*`` headers, and the share columns by header.

    The other columns keep their names: :func:`~sxgeo.outputs.tables.to_xlsx_bytes`
    gives them their ``col.*`` headers and their values in words.
    """
    mapping = {c: t(f"regional.col.{c}", lang) for c in frame.columns if has(f"regional.col.{c}")}
    units = {mapping.get(c, c): "share" for c in _SHARES if c in frame.columns}
    return frame.rename(columns=mapping), units


def _sites(reach: RegionalReach, lang: str) -> pd.DataFrame:
    """The scenario's projects: where they are, what they are, and whether the position is approximate."""
    sc = reach.scenario
    sites = sc.sites
    names = [choose({"zh": zh, "en": en}, lang) for zh, en in zip(sites["name"], sites["name_en"])]
    note = sc.position_note(lang)
    return pd.DataFrame({
        "id": sites["id"].to_numpy(), "name": names, "city_name": sites["city_name"].to_numpy(),
        "county_name": sites["county_name"].to_numpy(), "lon": sites["lon"].to_numpy(), "lat": sites["lat"].to_numpy(),
        "hospital_level": sites["hospital_level"].to_numpy(), "admin_tier": sites["admin_tier"].to_numpy(),
        "approximate": sites["approximate"].astype(bool).to_numpy(),
        "position_note": [note if a else "" for a in sites["approximate"]],
    })


def _minutes_list(reach: RegionalReach, lang: str) -> str:
    return t("regional.list_sep", lang).join(f"{m:g}" for m in reach.thresholds_min)


def _about(reach: RegionalReach, lang: str) -> pd.DataFrame:
    """The scenario, its clause and source, the note on positions and how the shares were computed."""
    sc = reach.scenario
    items = [
        ("title", sc.title(lang)),
        ("clause", sc.clause(lang)),
        ("source", sc.source(lang)),
        ("positions", sc.position_note(lang) if sc.any_approximate else ""),
        ("method", t("regional.method", lang, minutes=_minutes_list(reach, lang), level=sc.level(lang))),
        ("travel", t(f"regional.travel.{reach.mode}", lang)),
    ]
    return pd.DataFrame({"item": [t(f"regional.about.{k}", lang) for k, _ in items], "text": [v for _, v in items]})


def _renamed(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """A level's rows with ``unit_code`` / ``unit_name`` named as that level's code and name."""
    return frame.rename(columns={"unit_code": f"{unit}_code", "unit_name": f"{unit}_name"})


def regional_sheets(reach: RegionalReach, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """The workbook's tables by sheet name (:data:`SHEETS`), columns under their canonical names.

    ``summary``: the province before and after per drive time; ``cities`` and
    ``counties``: the same per city and county; ``gainers``: every county that
    gained, per drive time (the largest first); ``outside``: counties with
    residents still beyond the largest drive time; ``sites``: the projects with
    the note on approximate positions; ``about``: title, clause, source, that
    note and the method.
    """
    lang = lang_or_default(lang)
    counties = reach.with_city(reach.at("county"))
    gainers = [reach.gainers(None, m) for m in sorted(reach.thresholds_min, reverse=True)]
    return {
        "summary": reach.at("province")[_REACH],
        "cities": _renamed(reach.at("city")[["unit_code", "unit_name", *_REACH]], "city"),
        "counties": _renamed(counties[["unit_code", "unit_name", "city_name", *_REACH]], "county"),
        "gainers": pd.concat(gainers, ignore_index=True),
        "outside": reach.outside(),
        "sites": _sites(reach, lang),
        "about": _about(reach, lang),
    }


def regional_xlsx_bytes(reach: RegionalReach, lang: str = "zh") -> bytes:
    """The workbook (sheets :data:`SHEETS`, titled in ``lang``); shares in percent, people whole."""
    lang = lang_or_default(lang)
    sheets, units = {}, {}
    for name, frame in regional_sheets(reach, lang).items():
        table, shares = _headers(frame, lang)
        sheets[t(f"regional.sheet.{name}", lang)] = table
        units.update(shares)
    return to_xlsx_bytes(sheets, lang, units=units)


def write_regional_xlsx(reach: RegionalReach, path: str | Path, lang: str = "zh") -> Path:
    """Write :func:`regional_xlsx_bytes` to ``path``."""
    path = Path(path)
    path.write_bytes(regional_xlsx_bytes(reach, lang))
    return path


# --------------------------------------------------------------------------- HTML
def _cell(value: object, kind: str, lang: str) -> str:
    """One table cell: text escaped, numbers right-aligned as planners read them."""
    if kind == "text":
        return f"<td>{html.escape('' if value is None else str(value))}</td>"
    v = float(value) if value is not None else math.nan
    if kind == "share":
        shown = fmt_percent(v)
    elif kind == "points":
        shown = "—" if math.isnan(v) else t("fmt.points", lang, points=f"{v * 100:.1f}")
    elif kind == "minutes":
        shown = f"{v:g}"
    else:
        shown = fmt_count(v)
    return f'<td class="num">{html.escape(shown)}</td>'


#: Column -> how its cells are shown in the HTML tables.
_KINDS = {"threshold_min": "minutes", "population": "count", "covered_before": "count", "covered_after": "count",
          "gain_population": "count", "population_outside": "count", "rank": "count", "share_before": "share",
          "share_after": "share", "share_outside": "share", "gain": "points"}


def _html_table(frame: pd.DataFrame, columns: list[str], lang: str) -> str:
    """An HTML table of ``columns`` with catalogue headers; the "none" text when it has no rows."""
    if frame.empty:
        return f"<p>{html.escape(t('regional.html.none', lang))}</p>"
    head = "".join(
        f"<th>{html.escape(t(f'regional.col.{c}', lang) if has(f'regional.col.{c}') else t(f'col.{c}', lang))}</th>"
        for c in columns
    )
    body = "".join(
        "<tr>" + "".join(_cell(row[c], _KINDS.get(c, "text"), lang) for c in columns) + "</tr>\n"
        for _, row in frame.iterrows()
    )
    return f'<div class="scroll"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table></div>'


def regional_html(reach: RegionalReach, lang: str = "zh", *, n: int = 10) -> str:
    """The scenario as an HTML ``<section>`` for the reports (Chinese by default).

    Title, plan clause and source, the note on approximate positions (as a
    notice), the method, the province and the cities before and after per
    drive time (each level only when the reach has rows for it), the ``n`` counties gaining most and the counties still
    outside at the largest drive time, and the project sites.
    """
    lang = lang_or_default(lang)
    sc = reach.scenario
    largest = reach.largest
    sheets = regional_sheets(reach, lang)
    esc = html.escape
    parts = [
        f'<section class="regional" lang="{esc(lang)}">',
        f"<h2>{esc(sc.title(lang))}</h2>",
        f"<p>{esc(sc.clause(lang))}</p>",
        f'<p class="meta">{esc(t("regional.html.source", lang, source=sc.source(lang)))}</p>',
    ]
    if sc.any_approximate:
        parts.append(f'<div class="notice">{esc(sc.position_note(lang))}</div>')
    method = t("regional.method", lang, minutes=_minutes_list(reach, lang), level=sc.level(lang))
    parts.append(f'<p class="meta">{esc(method)}{esc(t("load.sep", lang))}{esc(t(f"regional.travel.{reach.mode}", lang))}</p>')
    # a level the reach has no rows for (the province of a city's scope, the cities of a county's) is left out
    if not reach.at("province").empty:
        parts += [f"<h3>{esc(t('regional.html.province', lang))}</h3>", _html_table(sheets["summary"], _REACH, lang)]
    if not reach.at("city").empty:
        cities = sheets["cities"]
        parts += [f"<h3>{esc(t('regional.html.cities', lang))}</h3>", _html_table(cities, ["city_name", *_REACH], lang)]
    gainers = reach.gainers(n, largest)
    parts += [
        f"<h3>{esc(t('regional.html.gainers', lang, minutes=largest))}</h3>",
        _html_table(gainers, ["rank", "county_name", "city_name", "population", "covered_before", "covered_after",
                              "gain_population", "share_before", "share_after", "gain"], lang),
        f"<h3>{esc(t('regional.html.outside', lang, minutes=largest))}</h3>",
        _html_table(sheets["outside"], ["county_name", "city_name", "population", "population_outside",
                                        "share_outside"], lang),
        f"<h3>{esc(t('regional.html.sites', lang))}</h3>",
        _html_table(sheets["sites"], ["name", "city_name", "county_name", "lon", "lat", "position_note"], lang),
        "</section>",
    ]
    return "\n".join(parts)
