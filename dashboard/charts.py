"""Plotly figures from already-aggregated frames (a few hundred points at most; no maths here).

Built with plotly.graph_objects: plotly.express costs tens of milliseconds per figure in Python,
which a slider's rerun would pay every time.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h"}}


def _grouped(frame: pd.DataFrame, color: str | None) -> list[tuple[str, pd.DataFrame]]:
    if color is None:
        return [("", frame)]
    return [(str(name), part) for name, part in frame.groupby(color, sort=False)]


def funnel(counts: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Funnel(y=counts["stage"], x=counts["contacts"], textinfo="value+percent previous")
    )
    return figure.update_layout(title="Funnel: contacts that reached each stage", **LAYOUT)


def lines(frame: pd.DataFrame, x: str, y: str, color: str, title: str) -> go.Figure:
    traces = [
        go.Scatter(x=part[x], y=part[y], mode="lines", name=name)
        for name, part in _grouped(frame, color)
    ]
    return go.Figure(traces).update_layout(title=title, xaxis_title=x, yaxis_title=y, **LAYOUT)


def calibration(bins: pd.DataFrame) -> go.Figure:
    """Mean predicted probability against the observed rate per bin and method, with the diagonal
    y = x on which a calibrated method's points lie (bins from scoring.learn.metrics)."""
    top = max(float(bins["mean_predicted"].max()), float(bins["observed_rate"].max()), 0.0)
    edge = min(1.0, top * 1.05) if top > 0 else 1.0
    diagonal = go.Scatter(
        x=[0.0, edge],
        y=[0.0, edge],
        mode="lines",
        name="perfectly calibrated (y = x)",
        line={"dash": "dash", "color": "grey"},
    )
    methods = [
        go.Scatter(
            x=part["mean_predicted"],
            y=part["observed_rate"],
            mode="lines+markers",
            name=name,
            customdata=part["leads"],
            hovertemplate="predicted %{x:.3f}, observed %{y:.3f} (%{customdata:,} leads)",
        )
        for name, part in _grouped(bins, "method")
    ]
    return go.Figure([diagonal, *methods]).update_layout(
        title="Calibration: observed rate vs mean predicted probability, per bin",
        xaxis_title="mean predicted probability",
        yaxis_title="observed rate",
        **LAYOUT,
    )


def weekly(entries: pd.DataFrame) -> go.Figure:
    return lines(entries, "week", "contacts", "stage", "Entries per week")


def bars(frame: pd.DataFrame, x: str, y: str, title: str, color: str | None = None) -> go.Figure:
    traces = [go.Bar(x=part[x], y=part[y], name=name or y) for name, part in _grouped(frame, color)]
    return go.Figure(traces).update_layout(
        title=title, barmode="group", xaxis_title=x, yaxis_title=y, **LAYOUT
    )


def heatmap(matrix: pd.DataFrame, title: str, percent: bool = False) -> go.Figure:
    figure = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=[str(c) for c in matrix.columns],
            y=[str(i) for i in matrix.index],
            colorscale="Blues",
            texttemplate="%{z:.0%}" if percent else "%{z}",
            colorbar={"title": "share" if percent else "count"},
        )
    )
    return figure.update_layout(title=title, **LAYOUT)


def stacked_bars(matrix: pd.DataFrame, title: str) -> go.Figure:
    traces = [
        go.Bar(x=[str(i) for i in matrix.index], y=matrix[c], name=str(c)) for c in matrix.columns
    ]
    return go.Figure(traces).update_layout(title=title, barmode="stack", **LAYOUT)


def trend(long: pd.DataFrame, x: str, y: str, color: str, title: str) -> go.Figure:
    traces = [
        go.Scatter(x=part[x], y=part[y], name=name, stackgroup="one", mode="lines")
        for name, part in _grouped(long, color)
    ]
    return go.Figure(traces).update_layout(title=title, **LAYOUT)


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
