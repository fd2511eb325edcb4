"""Workspaces: choose, create, rename and delete them in the sidebar; the open one stays in the URL (``?ws=name``).

With a workspace open, every upload is stored as a new version of its layer, the planned facilities are saved as
the scenario :func:`scenario_name` on every change, and the chosen data source, area and indicator as the user's
view; opening the workspace again (a reload, a new session, a restarted server) brings all of it back.  Without a
workspace the app keeps everything in the session, as it always did.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sxgeo.app.state import USER, WS_PARAM, choice, lang, open_name, planned_key, store, user
from sxgeo.errors import StoreError
from sxgeo.formatting import fmt_count
from sxgeo.layers.kinds import KINDS
from sxgeo.text import t

#: The choices a workspace remembers per user (its "view"); each lives in ``st.session_state[key]``.
VIEW_KEYS = ("source", "level", "city", "county", "indicator", "travel_mode")
#: What belongs to the open workspace in the session, dropped when another one is opened.
_SESSION_KEYS = ("planned", "planned_files", "planned_saved", "_planned_msg", "_upload_error", "_last_upload",
                 "_ws_choices", "_ws_info", "_ws_view", "_ws_scenario_key", "_ws_writable")
#: Columns of a layer's version history (labels: ``app.versions_col.<key>``).
VERSION_COLUMNS = ("version", "created", "source", "rows", "rejected", "current")


def scenario_name() -> str:
    """The name the planned facilities are saved under: stored data, so always the Chinese text, like the demo data."""
    return t("app.ws_scenario", "zh")


def writable() -> bool:
    """Whether the logged-in user may change the open workspace (True without a workspace: the session is theirs)."""
    return open_name() is None or bool(st.session_state.get("_ws_writable"))


# --- opening -----------------------------------------------------------------------------------


def _restore_view(view: dict) -> None:
    """Put a saved view into the session before the widgets are drawn (as a map click does)."""
    for key in VIEW_KEYS:
        if key in view:
            st.session_state[key] = view[key]
            st.session_state[f"{key}@{lang()}"] = view[key]


def _open(name: str, *, widget: bool) -> None:
    """Open workspace ``name`` ("" closes it): its view and scenario replace the session's; the URL names it.

    ``widget``: also set the workspace selectbox (only before it is drawn in this run).
    """
    ss = st.session_state
    for key in _SESSION_KEYS:
        ss.pop(key, None)
    if name:
        try:
            info = store().info(name, user=user())
            view = store().view(name, user=user())
            saved = store().scenario(name, scenario_name(), user=user()) if scenario_name() in info.scenarios else {}
        except StoreError as err:
            ss["_ws_error"] = err
            name = ""
        else:
            _restore_view(view)
            ss["_ws_view"] = view
            ss["planned_saved"] = {k: f for k, f in saved.items() if len(f)}
            ss["_ws_scenario_key"] = planned_key(ss["planned_saved"])
    ss["_ws_open"] = name
    ss["_ws_open_as"] = (name, user())
    if name:
        st.query_params[WS_PARAM] = name
    elif WS_PARAM in st.query_params:
        del st.query_params[WS_PARAM]
    if widget:
        ss["workspace"] = name
        ss[f"workspace@{lang()}"] = name


def remember_address() -> None:
    """On a session's first run (before any login form), note the workspace its address names.

    A rerun may carry no address (seen when a login form is submitted while the page is still loading); the
    workspace the page was opened with is then still known.
    """
    if "_ws_address" not in st.session_state:
        st.session_state["_ws_address"] = st.query_params.get(WS_PARAM, "")


def sync() -> None:
    """Before any widget: open the workspace the URL names (a reload, a new session, a login) and read what it holds."""
    ss = st.session_state
    pending = ss.pop("_ws_pending", None)
    wanted = st.query_params.get(WS_PARAM, "")
    if "_ws_open_as" not in ss:  # the session's first look at its workspace
        wanted = wanted or ss.get("_ws_address", "")
    if pending is not None:
        _open(pending, widget=True)
    elif ss.get("_ws_open_as") != (wanted, user()):
        _open(wanted, widget=True)
    name = open_name()
    if name is None:
        return
    try:
        ss["_ws_info"] = store().info(name, user=user())
        ss["_ws_writable"] = store().can_write(name, user())
    except StoreError as err:  # deleted meanwhile, or no longer shared with the user
        ss["_ws_error"] = err
        _open("", widget=True)


# --- the sidebar -------------------------------------------------------------------------------


def _act(action, *, then: str | None = None) -> None:
    """Run a store action, then rerun: on success opening workspace ``then`` (None: keep the open one), else saying why."""
    try:
        action()
    except StoreError as err:
        st.session_state["_ws_error"] = err  # shown once, at the top of the panel
    else:
        if then is not None:
            st.session_state["_ws_pending"] = then
    st.rerun()


def _create(lang: str) -> None:
    """A name and a button that create a workspace owned by the logged-in user, and open it."""
    name = st.text_input(t("app.ws_new_name", lang), key="ws_new_name", max_chars=64)
    if st.button(t("app.ws_create", lang), key="ws_create", disabled=not name.strip()):
        _act(lambda: store().create(name.strip(), owner=user()), then=name.strip())


def _rename_delete(name: str, lang: str) -> None:
    """Rename the open workspace (its editors) and move it to the trash (its owner)."""
    info = st.session_state["_ws_info"]
    if writable():
        new = st.text_input(t("app.ws_rename_to", lang), key="ws_rename_to", max_chars=64)
        if st.button(t("app.ws_rename", lang), key="ws_rename", disabled=not new.strip() or new.strip() == name):
            _act(lambda: store().rename(name, new.strip(), user=user()), then=new.strip())
    if user() is None or info.owner in (None, user()):
        if st.button(t("app.ws_delete", lang, name=name), key="ws_delete"):
            _act(lambda: store().delete(name, user=user()), then="")
        st.caption(t("app.ws_delete_help", lang))


def _access(name: str, lang: str) -> None:
    """Who may edit and who may only read the open workspace (shown to its owner when users log in)."""
    info = st.session_state["_ws_info"]
    if user() is None or info.owner not in (None, user()):
        return
    with st.expander(t("app.ws_access", lang)):
        st.caption(t("app.ws_owner", lang, owner=info.owner or user()))
        known = [u for u in st.session_state.get("_users", []) if u != user()]
        editors = st.multiselect(t("app.ws_editors", lang), sorted({*known, *info.editors}), default=info.editors,
                                 key=f"ws_editors:{name}", accept_new_options=True)
        readers = st.multiselect(t("app.ws_readers", lang), sorted({*known, *info.readers}), default=info.readers,
                                 key=f"ws_readers:{name}", accept_new_options=True)
        if st.button(t("app.ws_access_save", lang), key="ws_access_save"):
            _act(lambda: store().set_access(name, editors=editors, readers=readers, user=user()))


def workspace_panel(lang: str) -> None:
    """The sidebar's workspace choice, with create, rename, delete and (for the owner) access."""
    sb = st.sidebar
    try:
        names = store().names(user())
    except (StoreError, OSError) as err:
        sb.error(t("app.ws_unavailable", lang, err=err.message(lang) if isinstance(err, StoreError) else err))
        return
    name = open_name()
    options = ["", *names] if name is None or name in names else ["", name, *names]
    value = choice(sb, "selectbox", t("app.ws", lang), options, "workspace", lambda n: n or t("app.ws_none", lang))
    if value != (name or ""):
        _open(value, widget=False)
        name = open_name()
    err = st.session_state.pop("_ws_error", None)
    if err is not None:
        sb.error(err.message(lang))
    sb.caption(t("app.ws_help_open" if name else "app.ws_help_none", lang, name=name))
    with sb.expander(t("app.ws_manage", lang)):
        _create(lang)
        if name:
            _rename_delete(name, lang)
    if name:
        with sb:
            _access(name, lang)


# --- what is saved on change -------------------------------------------------------------------


def keep_view() -> None:
    """Save the data source, area and indicator to the open workspace when they changed (readers keep their own)."""
    name = open_name()
    if name is None:
        return
    view = {k: st.session_state[k] for k in VIEW_KEYS if st.session_state.get(k) is not None}
    if view == st.session_state.get("_ws_view"):
        return
    try:
        store().set_view(name, view, user=user())
    except StoreError as err:
        st.session_state["_ws_error"] = err
        return
    st.session_state["_ws_view"] = view


def keep_scenario(planned: dict) -> None:
    """Save the planned facilities as the workspace's scenario when they changed (where the user may write)."""
    name = open_name()
    key = planned_key(planned)
    if name is None or not writable() or key == st.session_state.get("_ws_scenario_key"):
        return
    try:
        store().save_scenario(name, scenario_name(), planned, user=user())
    except StoreError as err:
        st.session_state["_ws_error"] = err
        return
    st.session_state["_ws_scenario_key"] = key


# --- the own-data tab --------------------------------------------------------------------------


def read_only_notice(lang: str) -> None:
    """Say plainly that the user may only read the open workspace."""
    st.warning(t("app.ws_read_only", lang, name=open_name(), user=st.session_state.get(USER)))


def store_upload(kind: str, result) -> int:
    """Store a loaded upload as the new version of ``kind`` in the open workspace; returns the version."""
    return store().add_layer(open_name(), result, user=user(), kind=kind)


def version_history(kind: str, lang: str) -> None:
    """A stored layer's versions as a table, and a version to make current again."""
    name = open_name()
    label = KINDS[kind].label(lang) if kind in KINDS else t("app.township_polygons", lang)
    with st.expander(t("app.versions", lang, kind=label)):
        try:
            versions = store().versions(name, kind, user=user())
        except StoreError as err:
            st.error(err.message(lang))
            return
        view = pd.DataFrame({t(f"app.versions_col.{c}", lang): versions[c] for c in VERSION_COLUMNS})
        current = t("app.versions_col.current", lang)
        view[current] = [t("app.versions_current", lang) if c else "" for c in versions["current"]]
        st.dataframe(view, hide_index=True)
        if not writable():
            return
        options = [int(v) for v in versions["version"]]
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        chosen = c1.selectbox(t("app.versions_choose", lang), options, index=len(options) - 1,
                              key=f"restore_version:{kind}",
                              format_func=lambda v: t("app.versions_option", lang, version=v,
                                                      rows=fmt_count(versions.set_index("version").at[v, "rows"])))
        if c2.button(t("app.versions_restore", lang), key=f"restore:{kind}"):
            _act(lambda: store().restore_version(name, kind, chosen, user=user()))


def delete_layer(kind: str) -> None:
    """Move a layer (all its versions) of the open workspace to the workspace's trash."""
    store().delete_layer(open_name(), kind, user=user())
