"""Accounts: every account scored from its contacts (the rulebook's `accounts:` section), filtered by
segment, region and owner, sorted, exported; owners named only for roles that may see them."""

from __future__ import annotations

import streamlit as st

from dashboard import account_list, counts, data, identity, state, views, widgets
from scoring.access import EXPORT_PERSONAL
from scoring.exports import to_safe_csv

SHOWN = 2000  # rows drawn on screen; the download holds every listed account

actor = widgets.guarded(identity.actor)
personal = actor.may(EXPORT_PERSONAL)
source, frames = widgets.database_sidebar(data.database_url())
book = widgets.guarded(lambda: data.published(source)).rulebook
moment = widgets.guarded(lambda: data.as_of(frames))
rollup = book.accounts
heading = st.empty()  # the title says what is listed, known once the filters are read
roles = "; ".join(f"{r.label}: {r.english()}" for r in rollup.roles) or "none declared"
st.caption(
    f"Account score = {'best contact score + ' if rollup.best_contact else ''}"
    f"{rollup.points_per_role:g} points per buying-group role engaged (a contact of that role "
    f"touched in the {rollup.window_days:g} days to {moment:%Y-%m-%d %H:%M} UTC), rulebook "
    f"{book.version}. Roles: {roles}."
)

view = data.account_view(source, moment, personal)
link = views.Link()
for key, column in (
    (state.ACCOUNT_SEGMENTS, "segment"),
    (state.ACCOUNT_REGIONS, "region"),
    (state.ACCOUNT_OWNERS, "owner"),
):
    link.expect(key, view.options[column], column)
link.expect(state.ACCOUNT_SORT, account_list.SORTS.values(), "sort")  # links carry the labels
link.notice()
segment, region, owner, sort = st.columns(4)
choice = account_list.Choice(
    segments=tuple(
        segment.multiselect(
            "Segment", view.options["segment"], key=state.ACCOUNT_SEGMENTS,
            bind=views.BIND,
            help="Company size by employees: SMB < 200 <= Mid-market < 1000 <= Enterprise.",
        )
    ),
    regions=tuple(
        region.multiselect(
            "Region", view.options["region"], key=state.ACCOUNT_REGIONS,
            bind=views.BIND,
            help="Leave empty for every region.",
        )
    ),
    owners=tuple(
        owner.multiselect(
            "Owner", view.options["owner"], key=state.ACCOUNT_OWNERS,
            bind=views.BIND,
            disabled=not personal,
            help="The account's owner, else its best contact's. Leave empty for every owner."
            + ("" if personal else f" Hidden: the {actor.role} role may not see names."),
        )
    ),
    sort=sort.selectbox(
        "Sort by", list(account_list.SORTS), format_func=account_list.SORTS.__getitem__,
        key=state.ACCOUNT_SORT, bind=views.BIND,
        help="Largest first; click a column header to sort by another.",
    ),
)  # fmt: skip
shown, said = account_list.choose(view, choice)
heading.title(
    f"Accounts: {'filtered' if said else 'all'}, by {account_list.SORTS[choice.sort].lower()}"
)
views.reset_button(
    {state.ACCOUNT_SEGMENTS: [], state.ACCOUNT_REGIONS: [], state.ACCOUNT_OWNERS: [],
     state.ACCOUNT_SORT: "account_score"},
    key=state.ACCOUNTS_RESET,
)  # fmt: skip
st.markdown(
    "**Listed:** accounts where " + "; ".join(said) if said else "**Listed:** every account"
)
kpis = st.columns(3)
counts.metric(kpis[0], "Accounts listed", f"{len(shown):,}")
counts.metric(kpis[1], "Accounts engaged", f"{int((shown['roles_engaged_count'] > 0).sum()):,}")
counts.metric(kpis[2], "Open pipeline", f"{shown['pipeline_amount'].sum():,.0f}")
st.dataframe(
    account_list.display(shown.head(SHOWN), personal=personal),
    hide_index=True,
    key="accounts_table",
    column_config={
        "Account score": st.column_config.NumberColumn(format="%.1f"),
        "Best contact score": st.column_config.NumberColumn(format="%.1f"),
        "Open pipeline amount": st.column_config.NumberColumn(format="%,.0f"),
    },
)
if len(shown) > SHOWN:
    st.caption(
        f"The first {SHOWN:,} of {len(shown):,} listed accounts are drawn here; the download holds "
        "every one of them."
    )
if not personal:
    st.caption(
        f":material/visibility_off: Owners are left out of the list and its download: the "
        f"{actor.role} role may not see or export personal fields."
    )
st.download_button(
    "Download CSV",
    lambda: to_safe_csv(account_list.display(shown, personal=personal)),
    file_name="accounts.csv",
    mime="text/csv",
    key="accounts_csv",
    help="Every listed account; cells a spreadsheet would run as formulas are neutralised.",
)
