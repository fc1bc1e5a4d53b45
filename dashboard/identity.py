"""Who is using the dashboard: a signed-in person and their role, or the one local user.

With an `[auth]` section in Streamlit's secrets (docs/deployment.md), people sign in with OpenID
Connect (`st.login`) and get their role from the role mapping (SMARKETING_ROLES); anyone else sees
only a sign-in page, or a page saying they have no role. Without it the dashboard is single-user:
it refuses to run on an address other machines reach, and the local user acts as admin.

    actor = gate()      # app.py: draws the sign-in page or the sidebar's identity; stops the rest
    actor = actor()     # a page: the same actor, nothing drawn
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import streamlit as st

from dashboard import data, widgets
from scoring.access import (
    ROLE_HELP,
    Actor,
    Grant,
    RoleMap,
    identity_name,
    is_loopback,
    providers,
)
from scoring.access.signin import SIGNIN_HINT
from scoring.errors import NotPermitted

KEPT_CLAIMS = ("email", "name", "sub", "iss")
"""Identity-token claims copied into audit rows (never the tokens themselves)."""


def signin_configured() -> bool:
    """Whether Streamlit's secrets hold an `[auth]` section (sign-in is on)."""
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except FileNotFoundError:  # Streamlit's "no secrets" error is one
        return False


def _claims() -> dict[str, Any]:
    return dict(st.user.to_dict())


def _resolve(claims: Mapping[str, Any]) -> tuple[RoleMap, Grant | None]:
    mapping = widgets.guarded(data.roles)
    return mapping, mapping.grant(claims)


def _signed_in(claims: Mapping[str, Any], mapping: RoleMap, grant: Grant) -> Actor:
    kept = {key: str(claims[key]) for key in KEPT_CLAIMS if claims.get(key)}
    return Actor(
        identity_name(claims),
        grant.role,
        signed_in=True,
        four_eyes=mapping.four_eyes,
        identity=kept,
    )


def actor() -> Actor:
    """This run's actor; NotPermitted when nobody with a role is signed in (gate() stopped them)."""
    if not signin_configured():
        return Actor.single_user()
    claims = _claims()
    if not claims.get("is_logged_in"):
        raise NotPermitted("", "signed out", "use the dashboard", "sign in first")
    mapping, grant = _resolve(claims)
    if grant is None:
        raise NotPermitted(identity_name(claims), "no role", "use the dashboard", "ask an admin")
    return _signed_in(claims, mapping, grant)


def _single_user() -> Actor:
    address = str(st.get_option("server.address") or "")
    if address and not is_loopback(address):
        st.title("smarketing")
        st.error(
            f"The dashboard is served on {address} without sign-in, so anyone who reaches it could "
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
        f"You are signed in as **{name or 'an account without an email'}**, but no rule of the "
        f"role mapping (version {mapping.version}) gives you a role, so there is nothing you may "
        "see here. Ask whoever runs smarketing to add your email, your domain or one of your "
        "groups to it.",
        icon=":material/lock:",
    )
    if st.button("Sign out", key="signout"):
        st.logout()
    st.stop()


def gate() -> Actor:
    """The actor of this run, with who they are drawn in the sidebar; stops the run for anyone
    without access (a sign-in page, or a page saying they have no role)."""
    if not signin_configured():
        return _single_user()
    if not st.user.is_logged_in:
        _signin_page()
    claims = _claims()
    mapping, grant = _resolve(claims)
    if grant is None:
        _no_role_page(identity_name(claims), mapping)
    signed_in = _signed_in(claims, mapping, grant)
    sidebar = st.sidebar
    sidebar.markdown(f":material/person: **{signed_in.name}** · {grant.role}")
    sidebar.caption(
        f"{grant.role.capitalize()} ({ROLE_HELP[grant.role]}), from {grant.because}."
        + (" Publishing needs a second publisher." if signed_in.four_eyes else "")
    )
    if sidebar.button("Sign out", key="signout", icon=":material/logout:"):
        st.logout()
    return signed_in
