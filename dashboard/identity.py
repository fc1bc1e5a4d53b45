"""Who is using the dashboard: a signed-in person and their role, or the one local user.

With an `[auth]` section in Streamlit's secrets (docs/deployment.md), people sign in with OpenID
Connect (`st.login`) and get their role from the role mapping (SMARKETING_ROLES); anyone else sees
only a sign-in page, or a page saying they have no role. Without it the dashboard is single-user:
it refuses to run on an address other machines reach, and the local user acts as admin.

Which of the two is decided once, at start: `smarketing dashboard` sets SMARKETING_SIGNIN for its
Streamlit child. When sign-in is expected and its settings cannot be read (a secrets file removed
or broken while the dashboard runs), nothing but an error is drawn: never single-user admin.

    actor = gate()      # app.py: draws the sign-in page or the sidebar's identity; stops the rest
    actor = actor()     # a page: the same actor, nothing drawn
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from dashboard import data, widgets
from scoring.access import (
    ROLE_HELP,
    Actor,
    Grant,
    RoleMap,
    identity_name,
    is_loopback,
    providers,
    signin_expected,
)
from scoring.access.mapping import email_verified
from scoring.access.signin import SIGNIN_HINT, SIGNIN_SETTING
from scoring.errors import ConfigError, NotPermitted
from scoring.settings import Settings

KEPT_CLAIMS = ("email", "name", "sub", "iss")
"""Identity-token claims copied into audit rows (never the tokens themselves); the email only when
the provider verified it."""
SIGN_IN, SINGLE_USER, UNREADABLE = "sign-in", "single-user", "unreadable"
UNREADABLE_MESSAGE = (
    "Sign-in is configured for this dashboard, but its settings (the [auth] section of "
    "Streamlit's secrets) cannot be read now: the secrets file is missing, or is not valid TOML. "
    "Nothing is shown until it is fixed; then reload the page, or restart `smarketing dashboard`."
)


def _auth_in_secrets() -> bool | None:
    """True: Streamlit's secrets hold an [auth] section; False: there are no secrets, or none with
    [auth]; None: a secrets file is there but cannot be read (Streamlit says False for both)."""
    try:
        if st.secrets.load_if_toml_exists():
            return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # removed while being read
        return None
    files = st.get_option("secrets.files") or []
    return None if any(Path(str(path)).exists() for path in files) else False


def mode() -> str:
    """SIGN_IN or SINGLE_USER as decided at start (SMARKETING_SIGNIN), else as the secrets say;
    UNREADABLE when sign-in is expected but its settings cannot be read (fail closed)."""
    expected = signin_expected(Settings.from_env().extra[SIGNIN_SETTING])
    if expected is False:
        return SINGLE_USER
    found = _auth_in_secrets()
    if found:
        return SIGN_IN
    if expected or found is None:
        return UNREADABLE
    return SINGLE_USER


def signin_configured() -> bool:
    """Whether people sign in (True also when sign-in is expected but cannot work right now)."""
    return mode() != SINGLE_USER


def _claims() -> dict[str, Any]:
    return dict(st.user.to_dict())


def _resolve(claims: Mapping[str, Any]) -> tuple[RoleMap, Grant | None]:
    mapping = widgets.guarded(data.roles)
    return mapping, mapping.grant(claims)


def _name(claims: Mapping[str, Any], mapping: RoleMap) -> str:
    return identity_name(claims, trust_unverified=mapping.trust_unverified_email)


def _signed_in(claims: Mapping[str, Any], mapping: RoleMap, grant: Grant) -> Actor:
    kept = {key: str(claims[key]) for key in KEPT_CLAIMS if claims.get(key)}
    if not (mapping.trust_unverified_email or email_verified(claims)):
        kept.pop("email", None)
    return Actor(
        _name(claims, mapping),
        grant.role,
        signed_in=True,
        four_eyes=mapping.four_eyes,
        identity=kept,
    )


def actor() -> Actor:
    """This run's actor; NotPermitted when nobody with a role is signed in (gate() stopped them)."""
    current = mode()
    if current == SINGLE_USER:
        return Actor.single_user()
    if current == UNREADABLE:
        raise ConfigError(UNREADABLE_MESSAGE)
    claims = _claims()
    if not claims.get("is_logged_in"):
        raise NotPermitted("", "signed out", "use the dashboard", "sign in first")
    mapping, grant = _resolve(claims)
    if grant is None:
        raise NotPermitted(_name(claims, mapping), "no role", "use the dashboard", "ask an admin")
    return _signed_in(claims, mapping, grant)


def _single_user() -> Actor:
    address = st.get_option("server.address")
    if not is_loopback(address):
        shown = address or "every interface (no server.address)"
        st.title("smarketing")
        st.error(
            f"The dashboard is served on {shown} without sign-in, so anyone who reaches it could "
            f"use it. To share it, {SIGNIN_HINT}; otherwise serve it on 127.0.0.1 "
            "(`smarketing dashboard`)."
        )
        st.stop()
    st.sidebar.caption(
        ":material/person: **Single-user mode**: no sign-in is configured, so the dashboard "
        "listens on 127.0.0.1 only and whoever uses it acts as admin. To share it with a team, "
        "set up sign-in and roles (docs/deployment.md)."
    )
    return Actor.single_user()


def _unreadable_page() -> NoReturn:
    st.title("smarketing")
    st.error(UNREADABLE_MESSAGE, icon=":material/lock:")
    st.stop()


def _signin_page() -> NoReturn:
    st.title("smarketing")
    st.write("Sign in with your work account to open the dashboard.")
    section = st.secrets["auth"]
    for name in providers(section if isinstance(section, Mapping) else {}):
        label = "Sign in" if name == "default" else f"Sign in with {name}"
        if st.button(label, key=f"signin_{name}", type="primary", icon=":material/login:"):
            if name == "default":
                st.login()
            else:
                st.login(name)
    st.stop()


def _no_role_page(name: str, mapping: RoleMap) -> NoReturn:
    st.title("smarketing")
    st.warning(
        f"You are signed in as **{widgets.plain(name or 'an account without a verified email')}**, "
        f"but no rule of the role mapping (version {widgets.plain(mapping.version)}) gives you a "
        "role, so there is nothing you may see here. Ask whoever runs smarketing to add your "
        "email, your domain or one of your groups to it.",
        icon=":material/lock:",
    )
    if st.button("Sign out", key="signout"):
        st.logout()
    st.stop()


def gate() -> Actor:
    """The actor of this run, with who they are drawn in the sidebar; stops the run for anyone
    without access (a sign-in page, a page saying they have no role, or an error when sign-in is
    expected but its settings cannot be read)."""
    current = widgets.guarded(mode)
    if current == SINGLE_USER:
        return _single_user()
    if current == UNREADABLE:
        _unreadable_page()
    if not st.user.is_logged_in:
        _signin_page()
    claims = _claims()
    mapping, grant = _resolve(claims)
    if grant is None:
        _no_role_page(_name(claims, mapping), mapping)
    signed_in = _signed_in(claims, mapping, grant)
    sidebar = st.sidebar
    sidebar.markdown(f":material/person: **{widgets.plain(signed_in.name)}** · {grant.role}")
    sidebar.caption(
        f"{grant.role.capitalize()} ({ROLE_HELP[grant.role]}), from "
        f"{widgets.plain(grant.because)}."
        + (" Publishing needs a second publisher." if signed_in.four_eyes else "")
    )
    if sidebar.button("Sign out", key="signout", icon=":material/logout:"):
        st.logout()
    return signed_in
