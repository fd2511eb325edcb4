"""The page's own stylesheet (``sxgeo/app/static/page.css``), put into every page once per run."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

#: The stylesheet shipped with the package (read from the installed package, not the checkout).
CSS = Path(__file__).resolve().parent / "static" / "page.css"


@cache
def _css() -> str:
    return CSS.read_text(encoding="utf-8")


def page_style() -> None:
    """Add the page stylesheet (a style-only ``st.html`` takes no room on the page)."""
    st.html(f"<style>{_css()}</style>")
