"""Plotly figures from already-aggregated frames (a few hundred points at most; no maths here)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h"}}


def funnel(counts: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Funnel(y=counts["stage"], x=counts["contacts"], textinfo="value+percent previous")
    )
    return figure.update_layout(title="Funnel: contacts that reached each stage", **LAYOUT)


def weekly(entries: pd.DataFrame) -> go.Figure:
    figure = px.line(entries, x="week", y="contacts", color="stage", title="Entries per week")
    return figure.update_layout(**LAYOUT)


def heatmap(matrix: pd.DataFrame, title: str, percent: bool = False) -> go.Figure:
    figure = px.imshow(
        matrix,
        text_auto=".0%" if percent else True,
        aspect="auto",
        color_continuous_scale="Blues",
        title=title,
        labels={"color": "share" if percent else "count"},
    )
    return figure.update_layout(**LAYOUT)


def stacked_bars(matrix: pd.DataFrame, title: str) -> go.Figure:
    long = matrix.reset_index(names="group").melt(
        id_vars="group", var_name="reason", value_name="n"
    )
    figure = px.bar(long, x="group", y="n", color="reason", title=title, barmode="stack")
    return figure.update_layout(xaxis_title=None, **LAYOUT)


def trend(long: pd.DataFrame, x: str, y: str, color: str, title: str) -> go.Figure:
    figure = px.area(long, x=x, y=y, color=color, title=title)
    return figure.update_layout(**LAYOUT)


def sankey(transitions: pd.DataFrame) -> go.Figure:
    labels = sorted(set(transitions["source"]) | set(transitions["target"]))
    position = {label: i for i, label in enumerate(labels)}
    link = {
        "source": transitions["source"].map(position).tolist(),
        "target": transitions["target"].map(position).tolist(),
        "value": transitions["count"].tolist(),
    }
    figure = go.Figure(go.Sankey(node={"label": labels, "pad": 18}, link=link))
    return figure.update_layout(title="Applied stage changes", **LAYOUT)


def bars(frame: pd.DataFrame, x: str, y: str, title: str, color: str | None = None) -> go.Figure:
    figure = px.bar(frame, x=x, y=y, color=color, title=title, barmode="group")
    return figure.update_layout(**LAYOUT)


def lines(frame: pd.DataFrame, x: str, y: str, color: str, title: str) -> go.Figure:
    figure = px.line(frame, x=x, y=y, color=color, title=title)
    return figure.update_layout(**LAYOUT)
