"""Rules vs model: train on older leads, compare with the rulebook on newer ones (or cross-validate
where leads carry no usable dates), suggest a rulebook."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, display, identity, model_lab, state, widgets
from scoring.access import DRAFT, WHAT_IF
from scoring.learn import KINDS, TARGETS
from scoring.learn.report import sections

actor = widgets.guarded(identity.actor)
tunes = actor.may(WHAT_IF)
source, frames = widgets.selected_frames()
current = widgets.guarded(lambda: data.published(source))
history = data.history(source)
st.title("Rules vs model")
st.caption(
    "Time-ordered and honest: the model trains on leads created before the cutoff and is tested, with "
    "the rulebook, on later leads as they looked at their decision time. Leads without usable dates "
    "(an export of final outcomes) are cross-validated instead. The sidebar filters do not apply."
)
created = pd.to_datetime(history["created_at"])
target_box, kind_box, evaluation_box, cutoff_box = st.columns(4)
target = target_box.selectbox(
    "Target",
    list(TARGETS),
    index=list(TARGETS).index("won"),
    key=state.MODEL_TARGET,
    help="What the model predicts.",
)
kind = kind_box.selectbox(
    "Model",
    list(KINDS),
    key=state.MODEL_KIND,
    help="Gradient boosting or a logistic regression baseline.",
)
evaluation = evaluation_box.selectbox(
    "Evaluation",
    list(model_lab.EVALUATIONS),
    format_func=model_lab.EVALUATIONS.__getitem__,
    key=state.MODEL_EVALUATION,
    help="How the model is tested: on later leads, or out of fold where leads carry no usable dates.",
)
cross_validated, label = model_lab.evaluation_of(history, target, evaluation)
if cross_validated:
    st.warning(label)
cutoff = cutoff_box.date_input(
    "Cutoff",
    value=created.sort_values().iloc[round(0.6 * (len(created) - 1))].date(),  # 60% created before
    min_value=created.min().date(),
    max_value=created.max().date(),
    key=state.MODEL_CUTOFF,
    help="Train on leads created before this date, test on later ones.",
    disabled=cross_validated,
)
key = model_lab.ModelKey(
    source, current.rulebook.version, target, kind, None if cross_validated else cutoff
)
trained = model_lab.store().get(key)
if tunes and st.button(
    "Train / retrain", key="model_train", help="Fit the model and compare it with the rulebook."
):
    trained = widgets.guarded(lambda: model_lab.train_and_compare(key, history, current))
if not isinstance(trained, model_lab.Trained):
    st.info(
        "Choose a target, model and cutoff, then train."
        if tunes
        else f"Training and comparing models needs the analyst role; you are {actor.role}."
    )
    st.stop()

comparison = trained.comparison
left, right = st.columns(2)
left.plotly_chart(
    charts.lines(trained.curves["roc"], "fpr", "tpr", "method", "ROC curve (test period)"),
    key="model_roc",
)
right.plotly_chart(
    charts.lines(
        trained.curves["pr"], "recall", "precision", "method", "Precision-recall (test period)"
    ),
    key="model_pr",
)
gains = pd.concat(
    [table.assign(method=name) for name, table in comparison.gains.items()], ignore_index=True
)
calibration = pd.concat(
    [t.assign(method=n) for n, t in comparison.calibration.items()], ignore_index=True
)
left, right = st.columns(2)
left.plotly_chart(
    charts.lines(gains, "top_pct", "lift", "method", "Lift by top % of leads"), key="model_lift"
)
right.plotly_chart(
    charts.lines(gains, "top_pct", "gain", "method", "Cumulative gains"), key="model_gains"
)
st.plotly_chart(charts.calibration(calibration), key="model_calibration")

for title, body in sections(comparison):
    with st.expander(title, expanded=title.startswith(("Metrics", "Capacity", "WARNING", "Split"))):
        if isinstance(body, pd.DataFrame):
            shown = model_lab.labelled(body, strings=title.startswith("Disagreements"))
            display.table(st, shown, why="too few leads in the group to measure it")
        else:
            st.markdown(body)

st.subheader("Suggested rulebook")
if cross_validated:
    st.info(
        "A suggested rulebook is fitted on older leads and measured on newer ones: it needs dates."
    )
    st.stop()
found = model_lab.store().get(("suggestion", key))
if tunes and st.button(
    "Suggest a rulebook", key="model_suggest", help="Refit rule points on the training period."
):
    found = widgets.guarded(lambda: model_lab.suggest(key, history, current))
if isinstance(found, tuple):
    suggestion, effect = found
    st.markdown("\n".join(f"- {change}" for change in suggestion.changes))
    display.table(st, suggestion.diff)
    for title, body in sections(effect)[:4]:
        st.markdown(f"**{title}**")
        if isinstance(body, pd.DataFrame):
            display.table(st, model_lab.labelled(body), why="too few leads to measure it")
        else:
            st.markdown(body)
    if actor.may(DRAFT):
        st.download_button(
            "Download suggested YAML",
            suggestion.yaml,
            file_name="rulebook.suggested.yaml",
            key="model_suggest_download",
            help="Review it in the Scoring lab or publish it as a file.",
        )
