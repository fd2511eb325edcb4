"""The view in the address bar: area, indicator, language, basemap and open tab as URL query parameters.

``?county=140105&indicator=fitness_15min&lang=zh&basemap=none&tab=gaps`` (``city=140100`` for a city, neither for
the province).  A reload or a copied link opens the same view; a parameter that names nothing known is dropped,
the province view is shown, and the page says which parameter was not understood.
"""

from __future__ import annotations

import streamlit as st

from sxgeo.app.data import Boundaries
from sxgeo.outputs.webmap import BASEMAPS
from sxgeo.text import LANGS

#: The URL parameters of a view, in the order they appear in the address.
VIEW_PARAMS = ("city", "county", "indicator", "lang", "basemap", "tab")
#: The tabs under the map, by their URL name (labels: ``app.<name>``).
TABS = ("gaps", "own_data", "scenario")
#: Session key of the notices about parameters that were not understood.
NOTICE_KEY = "_url_notice"


def _set(key: str, value: str, langs: tuple[str, ...] = LANGS) -> None:
    """A choice before its widget is drawn: the value and every language's widget key (see ``state.choice``)."""
    st.session_state[key] = value
    for lang in langs:
        st.session_state[f"{key}@{lang}"] = value


def read_view(bounds: Boundaries, target_ids: set[str]) -> None:
    """On a session's first run: put the view the URL names into the session, before any widget is drawn.

    A URL that names a view wins over the view saved with an open workspace (a shared link shows what its
    sender saw).  Invalid parameters are dropped from the URL, the area falls back to the province and
    :func:`notices` lists what was not understood.
    """
    if "_url_read" in st.session_state:
        return
    st.session_state["_url_read"] = True
    params = {k: st.query_params.get(k) for k in VIEW_PARAMS if st.query_params.get(k) not in (None, "")}
    bad: list[tuple[str, str]] = []
    lang = params.get("lang")
    if lang is not None:
        if lang in LANGS:
            st.session_state["lang"] = lang
        else:
            bad.append(("lang", lang))
    area = _area(bounds, params.get("city"), params.get("county"), bad)
    if area is not None:
        for key, value in zip(("level", "city", "county"), area):
            if value is not None:
                _set(key, value)
    elif bad or params.get("city") or params.get("county"):
        _set("level", "province")
    _choices(params, target_ids, bad)
    for key, _ in bad:
        del st.query_params[key]
    st.session_state[NOTICE_KEY] = bad


def _choices(params: dict, target_ids: set[str], bad: list) -> None:
    """The indicator, basemap and tab the URL names (unknown values go to ``bad``)."""
    for key, valid in (("indicator", target_ids), ("basemap", set(BASEMAPS)), ("tab", set(TABS))):
        value = params.get(key)
        if value is None:
            continue
        if value not in valid:
            bad.append((key, value))
        elif key == "tab":
            st.session_state["_url_tab"] = value
        else:
            _set(key, value)


def _area(bounds: Boundaries, city: str | None, county: str | None, bad: list) -> tuple | None:
    """(level, city, county) of the URL's area, None for the province or when it names no known area."""
    county_city = bounds.county_city
    if county is not None:
        if county in county_city and (city is None or city == county_city[county]):
            return ("county", county_city[county], county)
        bad.append(("county", county))
        return None
    if city is not None:
        if city in set(county_city.values()):
            return ("city", city, None)
        bad.append(("city", city))
    return None


def notices() -> list[tuple[str, str]]:
    """The (parameter, value) pairs of the URL that were not understood (shown once, then forgotten)."""
    return st.session_state.pop(NOTICE_KEY, [])


def write_view(level: str, code: str | None, indicator: str | None, lang: str, basemap: str, tab: str) -> None:
    """Keep the address bar in step with the view (only the parameters that changed are written)."""
    city = st.session_state.get("city") if level in ("city", "county") else None
    wanted = {
        "city": city if level == "city" else None,
        "county": code if level == "county" else None,
        "indicator": indicator,
        "lang": lang,
        "basemap": basemap,
        "tab": tab,
    }
    for key, value in wanted.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value
