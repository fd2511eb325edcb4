"""The search box: type part of a county's, township's or facility's name and pick one of the matches."""

from __future__ import annotations

import math
import re
import threading
import weakref

import streamlit as st

from sxgeo.app.data import Workspace
from sxgeo.layers.search import SearchIndex
from sxgeo.text import choose, t

__all__ = ["SHOWN", "search_box", "workspace_index"]

#: Matches listed under the box; the others are only counted.
SHOWN = 10

_INDEXES: weakref.WeakKeyDictionary[Workspace, SearchIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
#: Characters a button label would read as Markdown.
_MARKDOWN = re.compile(r"([\\`*_\[\]~$|#])")


def workspace_index(ws: Workspace) -> SearchIndex:
    """The :class:`~sxgeo.layers.search.SearchIndex` of a workspace, built once per workspace object.

    It holds the bundled counties and townships (placed by the workspace's township
    polygons when it has them) and the facilities of every layer of the workspace.
    """
    with _LOCK:
        index = _INDEXES.get(ws)
    if index is None:
        index = SearchIndex.build(ws.bounds.counties, ws.bounds.townships, ws.layers,
                                  township_polygons=ws.township_polygons)
        with _LOCK:
            index = _INDEXES.setdefault(ws, index)
    return index


def _number(value) -> float | None:
    """A coordinate as a float, None when unknown."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _picked(row) -> dict:
    """A result row as the dict :func:`search_box` returns."""
    return {
        "kind": row.kind, "code": row.code, "name": row.name,
        "county_code": row.county_code if isinstance(row.county_code, str) else None,
        "lon": _number(row.lon), "lat": _number(row.lat), "bbox": row.bbox,
    }


def search_box(index_or_ws: SearchIndex | Workspace, lang: str, *, key: str = "search") -> dict | None:
    """A text input and the matches of what is typed, as a list to pick from; the pick, once, or None.

    Draws into the current container (call it inside ``with st.sidebar:`` for the sidebar).
    At most :data:`SHOWN` matches are listed, then how many more there are; no match gives
    a message in ``lang``.

    Parameters
    ----------
    index_or_ws : SearchIndex or Workspace
        What to search; a workspace's index is built on first use and kept (:func:`workspace_index`).
    lang : str
        The UI language.
    key : str, default "search"
        The text input's widget key; the match buttons' keys start with it.

    Returns
    -------
    dict or None
        In the run right after a match was clicked: ``kind`` (``county``, ``township`` or a
        layer kind), ``code`` (adcode, township code or facility id), ``name``, ``county_code``,
        ``lon``, ``lat`` (None when unknown) and ``bbox`` ((minx, miny, maxx, maxy) or None).
        Otherwise None.
    """
    index = index_or_ws if isinstance(index_or_ws, SearchIndex) else workspace_index(index_or_ws)
    query = st.text_input(t("app.search_label", lang), key=key, placeholder=t("app.search_placeholder", lang))
    if not query or not query.strip():
        return None
    found = index.search(query, limit=SHOWN)
    total = found.attrs["total"]
    if not total:
        st.caption(t("app.search_none", lang, query=query.strip()))
        return None
    picked = None
    for i, row in enumerate(found.itertuples(index=False)):
        label = choose({"zh": row.label_zh, "en": row.label_en}, lang)
        if st.button(_MARKDOWN.sub(r"\\\1", label), key=f"{key}_hit_{i}_{row.kind}_{row.code}", type="tertiary"):
            picked = _picked(row)
    if total > len(found):
        st.caption(t("app.search_more", lang, n=total - len(found)))
    return picked
