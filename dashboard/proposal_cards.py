"""The Audit page's pieces: a proposal as its approver sees it (diff, what-if effect, note) with
approve and reject, and the rollback form. Every action goes through scoring.policy, which checks
the role and the four eyes itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NoReturn

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard import data, display, state, widgets
from scoring.access import PUBLISH, Actor
from scoring.policy import (
    Proposal,
    approve,
    in_force,
    propose_rollback,
    publish_as,
    reject,
    version_text,
    versions,
)
from scoring.policy.publish import EDITABLE


def _done(message: str) -> NoReturn:
    """Remember what was done, forget what was in force, and draw the page again."""
    st.session_state[state.AUDIT_FLASH] = message
    data.forget_published()
    st.rerun()


def _act(action: Callable[[], object], message: str) -> NoReturn:
    widgets.guarded(action)
    _done(message)


def _facts(proposal: Proposal) -> None:
    detail = proposal.detail
    verb = "rollback" if proposal.action == "rolled_back" else "publish"
    base = widgets.plain(proposal.base_version or "shipped")
    restores = widgets.plain(str(detail.get("restores", "")))
    st.markdown(
        f"**Proposal {proposal.id}**: {verb} the {proposal.kind} (against version {base}), "
        f"proposed by **{widgets.plain(proposal.proposed_by)}** at "
        f"{proposal.proposed_at:%Y-%m-%d %H:%M} UTC."
        + (f" Restores {restores}." if detail.get("restores") else "")
    )
    if proposal.note:  # whatever the proposer typed: shown as text, never as Markdown
        st.text(proposal.note)
    if detail.get("effect"):
        st.caption("What-if effect on history")
        effect = pd.DataFrame(detail["effect"], columns=["measure", "in force", "proposed"])
        display.table(st, effect, key=f"audit_effect_{proposal.id}")
    if detail.get("changes"):
        columns = detail.get("change_columns") or None
        changes = pd.DataFrame(detail["changes"], columns=columns).astype(object)
        display.table(
            st,
            changes.map(lambda v: v if v is None or v != v else str(v)),  # one type per column
            why="the rule is absent from that version",
            key=f"audit_changes_{proposal.id}",
        )
    with st.expander("Text diff", expanded=not detail.get("changes")):
        st.code(detail.get("diff") or "(no difference in text)", language="diff")


def proposal_card(engine: Engine, proposal: Proposal, actor: Actor) -> None:
    """One open proposal; a publisher other than its proposer may approve it, any may reject it."""
    with st.container(border=True):
        _facts(proposal)
        if not actor.may(PUBLISH):
            st.caption("Publishers approve or reject it.")
            return
        own = proposal.is_by(actor)
        if own:
            st.caption("You proposed it: a different publisher has to approve it.")
        note = st.text_input(
            "Note for the audit log", key=f"{state.AUDIT_NOTE_PREFIX}{proposal.id}"
        )
        left, right = st.columns(2)
        if not own and left.button(
            "Approve and publish",
            key=f"{state.AUDIT_APPROVE_PREFIX}{proposal.id}",
            type="primary",
            icon=":material/check:",
        ):
            _act(
                lambda: approve(engine, proposal.id, actor, note=note),
                f"Approved proposal {proposal.id}: its {proposal.kind} is in force.",
            )
        if right.button(
            "Withdraw" if own else "Reject",
            key=f"{state.AUDIT_REJECT_PREFIX}{proposal.id}",
            icon=":material/close:",
        ):
            _act(
                lambda: reject(engine, proposal.id, actor, note=note),
                f"Proposal {proposal.id} closed without publishing.",
            )


def rollback_form(engine: Engine, actor: Actor) -> None:
    """Propose (four-eyes) or do a rollback of a kind to one of its earlier published versions."""
    kind = st.selectbox("Definition", list(EDITABLE), key=state.ROLLBACK_KIND)
    current = in_force(engine).definitions[kind].version
    earlier = [v for v in versions(engine, kind)["version"] if v != current]
    if not earlier:
        st.caption(f"No earlier published {kind} version to roll back to ({current} is in force).")
        return
    version = st.selectbox("Back to version", earlier, key=state.ROLLBACK_VERSION)
    note = st.text_input("Why", key=state.ROLLBACK_NOTE)
    if not actor.signed_in:
        name = st.text_input(
            "Your name or email", key="audit_actor", help="Recorded in the audit log."
        )
        actor = replace(actor, name=name.strip())
    label = "Propose the rollback" if actor.four_eyes else "Roll back"
    if not st.button(label, key="audit_rollback", disabled=not actor.name):
        return
    if actor.four_eyes:
        _act(
            lambda: propose_rollback(engine, kind, version, actor, note=note),
            f"Proposed rolling the {kind} back to {version}: a different publisher approves it.",
        )
    text = widgets.guarded(lambda: version_text(engine, kind, version))
    _act(
        lambda: publish_as(
            engine,
            kind,
            text,
            actor,
            note=note or f"rollback to {version}",
            detail={"restores": version},
            action="rolled_back",
        ),
        f"Rolled the {kind} back to the text of {version}.",
    )
