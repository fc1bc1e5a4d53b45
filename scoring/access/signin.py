"""Is sign-in configured, and may the dashboard listen beyond this machine? (pure: mappings in)

Streamlit signs people in with OpenID Connect from an `[auth]` section of `.streamlit/secrets.toml`
(docs/deployment.md). The same section can come from SMARKETING_AUTH_* settings instead; the
`smarketing dashboard` command turns them into a private secrets file for its Streamlit child.

    section = auth_from_settings(settings.extra, cookie_secret="...")   # None: no SMARKETING_AUTH_*
    auth_problems(section)          # [] when Streamlit can sign people in with it
    is_loopback("0.0.0.0")          # False: needs sign-in
    signin_expected("1")            # True: SMARKETING_SIGNIN says sign-in is on, whatever happens
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import Any

from scoring.errors import ConfigError

AUTH_SETTINGS: dict[str, str] = {
    "server_metadata_url": "SMARKETING_AUTH_SERVER_METADATA_URL",
    "client_id": "SMARKETING_AUTH_CLIENT_ID",
    "client_secret": "SMARKETING_AUTH_CLIENT_SECRET",
    "redirect_uri": "SMARKETING_AUTH_REDIRECT_URI",
    "cookie_secret": "SMARKETING_AUTH_COOKIE_SECRET",
}
"""Each key of Streamlit's [auth] section and the setting that gives it."""
SHARED_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
NOT_PROVIDERS = frozenset({"client_kwargs"})
SIGNIN_HINT = (
    "add an [auth] section to .streamlit/secrets.toml or set SMARKETING_AUTH_CLIENT_ID, "
    "SMARKETING_AUTH_CLIENT_SECRET, SMARKETING_AUTH_SERVER_METADATA_URL and "
    "SMARKETING_AUTH_REDIRECT_URI (docs/deployment.md)"
)


SIGNIN_SETTING = "SMARKETING_SIGNIN"
_SIGNIN_VALUES: dict[str, bool | None] = {
    "1": True,
    "true": True,
    "0": False,
    "false": False,
    "": None,
}


def signin_expected(value: str) -> bool | None:
    """What SMARKETING_SIGNIN says (set by `smarketing dashboard` for its Streamlit child): True,
    sign-in is on and the dashboard never falls back to single-user mode, even when its secrets
    cannot be read later; False, single-user mode; None, not decided (Streamlit started by hand:
    the secrets decide). ConfigError for any other value."""
    key = value.strip().lower()
    if key not in _SIGNIN_VALUES:
        raise ConfigError(
            f"{SIGNIN_SETTING}={value!r} must be 1 (sign-in), 0 (single-user) or empty"
        )
    return _SIGNIN_VALUES[key]


def auth_from_settings(values: Mapping[str, str], cookie_secret: str) -> dict[str, str] | None:
    """The [auth] section the SMARKETING_AUTH_* settings describe (None when none is set).

    `cookie_secret` is used when SMARKETING_AUTH_COOKIE_SECRET is empty (a fresh random one per
    start: people sign in again after a restart). ConfigError names the settings still missing.
    """
    given = {key: values.get(name, "").strip() for key, name in AUTH_SETTINGS.items()}
    if not any(given.values()):
        return None
    given["cookie_secret"] = given["cookie_secret"] or cookie_secret
    missing = [AUTH_SETTINGS[key] for key, value in given.items() if not value]
    if missing:
        raise ConfigError(
            f"sign-in is half configured: set {', '.join(missing)} too (docs/deployment.md)"
        )
    return given


def providers(section: Mapping[str, Any]) -> list[str]:
    """The identity providers an [auth] section configures: "default" and the named ones."""
    named = [
        name
        for name, value in section.items()
        if isinstance(value, Mapping) and name not in NOT_PROVIDERS
    ]
    return (["default"] if "client_id" in section else []) + sorted(named)


def auth_problems(section: Mapping[str, Any] | None) -> list[str]:
    """What an [auth] section misses for Streamlit to sign people in; empty when complete."""
    if section is None:
        return [f"no sign-in is configured: {SIGNIN_HINT}"]
    problems = [f"[auth] needs {key}" for key in SHARED_KEYS if not section.get(key)]
    found = providers(section)
    if not found:
        problems.append(f"[auth] names no identity provider: it needs {', '.join(PROVIDER_KEYS)}")
    for name in found:
        keys = section if name == "default" else section[name]
        where = "[auth]" if name == "default" else f"[auth.{name}]"
        problems += [f"{where} needs {key}" for key in PROVIDER_KEYS if not keys.get(key)]
        if "_" in name:
            problems.append(f"{where}: Streamlit refuses provider names with an underscore")
    redirect = str(section.get("redirect_uri", ""))
    if redirect and not redirect.endswith("/oauth2callback"):
        problems.append("[auth] redirect_uri must end with /oauth2callback")
    return problems


def auth_toml(section: Mapping[str, str]) -> str:
    """The [auth] section as TOML text (values quoted as TOML basic strings)."""
    lines = ["[auth]"] + [f"{key} = {json.dumps(str(value))}" for key, value in section.items()]
    return "\n".join(lines) + "\n"


def is_loopback(address: str | None) -> bool:
    """Whether `address` reaches only this machine (127.0.0.0/8, ::1, localhost). An empty address
    is not: Streamlit and most servers bind every interface when given none."""
    name = (address or "").strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refusal(address: str) -> str:
    """The one line `smarketing dashboard` says when asked to listen beyond 127.0.0.1 unsigned."""
    return (
        f"--address {address} would let anyone on the network use the dashboard without signing "
        f"in: {SIGNIN_HINT}, or serve on 127.0.0.1"
    )
