"""The scoring lab's publish block: publish at once (single-user, or four-eyes off) or propose for a
second publisher's approval, with the diff and the what-if effect the approver will see."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import data, state, widgets
from dashboard.data import Snapshot
from scoring.access import PUBLISH, Actor
from scoring.policy import Published, propose, publish_as, tuning_text
from scoring.rules import Rulebook
from scoring.rules.whatif import WhatIf


def effect_rows(
    before: WhatIf,
    after: WhatIf,
    weekly: tuple[float, float],
    moved: tuple[int, int],
) -> list[list[str]]:
    """The what-if effect of a tuning on history, as [measure, in force, proposed] rows."""
    return [
        ["MQLs on history", f"{before.mqls:,}", f"{after.mqls:,}"],
        ["MQLs per week (recent)", f"{weekly[0]:,.1f}", f"{weekly[1]:,.1f}"],
        ["Win precision", f"{before.precision_won:.1%}", f"{after.precision_won:.1%}"],
        ["Win recall", f"{before.recall_won:.1%}", f"{after.recall_won:.1%}"],
        [
            "Acceptance precision",
            f"{before.precision_accepted:.1%}",
            f"{after.precision_accepted:.1%}",
        ],
        ["Leads entering / leaving MQL", "", f"+{moved[0]:,} / -{moved[1]:,}"],
    ]


def _who(actor: Actor) -> Actor:
    """A signed-in actor as they are; the single user types the name the audit log records."""
    if actor.signed_in:
        st.caption(f"Recorded in the audit log as {actor.name} ({actor.role}).")
        return actor
    name = st.text_input("Your name or email", key="lab_actor", help="Recorded in the audit log.")
    return replace(actor, name=name.strip())


def publish_block(
    source: Snapshot,
    current: Published,
    tuned: Rulebook,
    effect: list[list[str]],
    actor: Actor,
    unchanged: bool,
) -> None:
    """Draw the publish (or propose) controls for `tuned`; act on the click."""
    if not actor.may(PUBLISH):
        st.caption(
            f":material/lock: Publishing needs the publisher role; you are {actor.role}. "
            "Download the draft and hand it to RevOps."
        )
        return
    who = _who(actor)
    note = st.text_input(
        "Why this change", key=state.PUBLISH_NOTE, help="Recorded with the new version."
    )
    confirmed = st.checkbox("I have reviewed the changes above", key=state.PUBLISH_CONFIRM)
    four_eyes = actor.four_eyes
    if not st.button(
        "Propose for approval" if four_eyes else "Publish new version",
        disabled=unchanged or not confirmed or not who.name,
        key="lab_publish",
        type="primary",
        help="Four-eyes publishing: it takes effect when a different publisher approves it on the "
        "Audit page."
        if four_eyes
        else "Writes a new rulebook version and an audit row.",
    ):
        return
    text, detail = widgets.guarded(lambda: tuning_text(current, tuned))
    detail["effect"] = effect
    engine = data.engine(source.url)
    if four_eyes:
        made = widgets.guarded(
            lambda: propose(engine, "rulebook", text, who, note=note, detail=detail)
        )
        st.success(
            f"Proposed as proposal {made.id}: rulebook {made.base_version} stays in force until a "
            "different publisher approves it on the Audit page."
        )
        return
    new = widgets.guarded(
        lambda: publish_as(engine, "rulebook", text, who, note=note, detail=detail)
    )
    data.forget_published()
    st.success(f"Published rulebook {new.version}.")
