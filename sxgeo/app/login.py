"""Optional login for a shared server (streamlit-authenticator).

When a YAML configuration exists at ``SXGEO_AUTH_CONFIG`` (or ``~/.sxgeo/auth.yaml``), the page shows a login
form first, and the username is the user of every workspace action: a user sees only the workspaces they may read
and changes only those they may edit.  Without the file there is no login and the app is single-user, as before.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from sxgeo.app.state import USER
from sxgeo.text import t

#: The login configuration (users with bcrypt-hashed passwords, and the login cookie); see the README.
ENV_AUTH = "SXGEO_AUTH_CONFIG"


def config_path() -> Path:
    """Where the login configuration is looked for."""
    return Path(os.environ.get(ENV_AUTH) or Path.home() / ".sxgeo" / "auth.yaml").expanduser()


@st.cache_resource(show_spinner=False, max_entries=4)
def _config(path: str, mtime: float) -> dict:
    """The configuration file, read again when it changes."""
    import yaml  # noqa: PLC0415 - only with a login

    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def _authenticator(config: dict):
    import streamlit_authenticator as stauth  # noqa: PLC0415 - only with a login

    cookie = config.get("cookie") or {}
    return stauth.Authenticate(config.get("credentials") or {"usernames": {}}, cookie.get("name", "sxgeo_auth"),
                               cookie.get("key", "sxgeo"), float(cookie.get("expiry_days", 30)), auto_hash=False)


def logged_in(lang: str) -> bool:
    """Show the login form while nobody is logged in (False: the page stops there); True without a configuration.

    The logged-in user's name is kept in ``st.session_state[USER]``; the sidebar shows who it is and a logout button.
    """
    path = config_path()
    if not path.is_file():
        return True
    config = _config(str(path), path.stat().st_mtime)
    auth = _authenticator(config)
    ss = st.session_state
    if not ss.get("authentication_status"):
        st.title(t("app.title", lang))
        auth.login(location="main", key="login", fields={
            "Form name": t("app.login_title", lang), "Username": t("app.login_user", lang),
            "Password": t("app.login_password", lang), "Login": t("app.login_button", lang)})
    if not ss.get("authentication_status"):
        ss.pop(USER, None)
        if ss.get("authentication_status") is False:
            st.error(t("app.login_failed", lang))
        return False
    ss[USER] = ss.get("username")
    ss["_users"] = sorted((config.get("credentials") or {}).get("usernames", {}))
    st.sidebar.caption(t("app.logged_in_as", lang, user=ss[USER]))
    auth.logout(t("app.logout", lang), location="sidebar", key="logout")
    if not ss.get("authentication_status"):  # just logged out
        ss.pop(USER, None)
        st.rerun()
    return True
