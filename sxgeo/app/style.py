"""The page's own stylesheet (``sxgeo/app/static/page.css``), put into every page once per run."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

from sxgeo.text import t

#: The stylesheet shipped with the package (read from the installed package, not the checkout).
CSS = Path(__file__).resolve().parent / "static" / "page.css"


@cache
def _css() -> str:
    return CSS.read_text(encoding="utf-8")


#: Streamlit's own English strings that CSS can replace: (selector whose text is hidden, text key of the replacement).
_REPLACED = (
    ('[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p', "app.upload_button"),
    ('[data-testid="stFileUploaderDropzoneInstructions"] span', "app.upload_limit"),
    ('[data-testid="stSkipToContent"]', "app.skip_to_content"),
)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _replacements(lang: str) -> str:
    """CSS that shows Streamlit's fixed English texts (the uploader's button and hint, the skip link) in ``lang``."""
    size = st.get_option("server.maxUploadSize")
    rules = []
    for selector, key in _REPLACED:
        text = _css_string(t(key, lang, size=size))
        rules.append(f"{selector} {{ font-size: 0 !important; }}\n"
                     f"{selector}::after {{ content: {text}; font-size: 0.875rem; }}")
    return "\n".join(rules)


def page_style(lang: str) -> None:
    """Add the page stylesheet and the texts in ``lang`` (a style-only ``st.html`` takes no room on the page)."""
    st.html(f"<style>{_css()}\n{_replacements(lang)}</style>")
