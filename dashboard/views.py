"""Shareable views: a page's filters live in the address (`st.query_params`), so a copied link opens
the same view. Widgets bind to the address with `bind=views.BIND` (their key is the parameter's
name); before drawing them a page checks what the link carries, since a link is anyone's input:

    link = views.Link()
    link.expect(state.LEAD_STAGES, options)          # values outside the options are unknown
    link.expect_number(state.LEAD_MIN_SCORE)
    link.notice()                                    # one warning naming what was ignored
    views.reset_button({state.LEAD_STAGES: []})      # back to the defaults (and a clean address)

Unknown values are ignored by the widgets themselves; the notice says which ones, never raises.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Any, Literal

import streamlit as st

from dashboard.markup import plain

BIND: Literal["query-params"] = "query-params"
SHOWN_CHARACTERS = 40  # a hostile link may carry megabytes: only the start of a value is repeated


def _shown(value: str) -> str:
    cut = value if len(value) <= SHOWN_CHARACTERS else value[:SHOWN_CHARACTERS] + "…"
    return plain(repr(cut))


def _is_number(value: str, low: float | None, high: float | None) -> bool:
    try:
        number = float(value)
    except ValueError:
        return False
    if number != number:  # NaN
        return False
    return (low is None or number >= low) and (high is None or number <= high)


def _is_date(value: str, low: date | None, high: date | None) -> bool:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return False
    return (low is None or day >= low) and (high is None or day <= high)


class Link:
    """The parameters of the address a page was opened with, checked against what its widgets take."""

    def __init__(self) -> None:
        self.ignored: list[str] = []

    def _check(self, key: str, fits: Callable[[str], bool], label: str) -> None:
        if key not in st.query_params:
            return
        for value in st.query_params.get_all(key):
            if value != "" and not fits(value):
                self.ignored.append(f"{label} = {_shown(value)}")

    def expect(self, key: str, options: Collection[Any], label: str | None = None) -> None:
        """Values of `key` must be among `options` (compared as text)."""
        allowed = {str(option) for option in options}
        self._check(key, allowed.__contains__, label or key)

    def accept_codes(self, key: str, labels: Mapping[str, str]) -> None:
        """A link whose `key` carries codes (older links did) opens the view they name: the
        widget starts at those options. Call before `expect` names the codes as allowed."""
        values = st.query_params.get_all(key) if key in st.query_params else []
        if key not in st.session_state and any(value in labels for value in values):
            named = {label: code for code, label in labels.items()}
            codes = [value if value in labels else named.get(value) for value in values]
            st.session_state[key] = [code for code in codes if code is not None]

    def expect_number(
        self,
        key: str,
        low: float | None = None,
        high: float | None = None,
        label: str | None = None,
    ) -> None:
        self._check(key, lambda v: _is_number(v, low, high), label or key)

    def expect_date(
        self, key: str, low: date | None = None, high: date | None = None, label: str | None = None
    ) -> None:
        self._check(key, lambda v: _is_date(v, low, high), label or key)

    def notice(self) -> None:
        """One visible warning naming every value of the link that was ignored (none: nothing)."""
        if self.ignored:
            st.warning(
                "This link asked for values that do not exist here; they were ignored: "
                + "; ".join(self.ignored)
                + ".",
                icon=":material/link_off:",
            )


def _reset(defaults: Mapping[str, Any]) -> None:
    for key, value in defaults.items():
        st.session_state[key] = value


def reset_button(
    defaults: Mapping[str, Any], *, key: str, where: Any = st, label: str = "Reset view"
) -> None:
    """A button that puts the page's filters back to `defaults` (and so clears them from the link)."""
    where.button(
        label,
        key=key,
        icon=":material/restart_alt:",
        on_click=_reset,
        args=(dict(defaults),),
        help="Back to the defaults; the address then carries no filter.",
    )
