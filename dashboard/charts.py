"""Plotly figures from already-aggregated frames (a few hundred points at most; no maths here).

Built with plotly.graph_objects: plotly.express costs tens of milliseconds per figure in Python,
which a slider's rerun would pay every time.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.display import header, word

LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
    # Above the plot, under the title: below it, a horizontal legend covers the x axis's title.
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
}


def _grouped(frame: pd.DataFrame, color: str | None) -> list[tuple[str, pd.DataFrame]]:
    if color is None:
        return [("", frame)]
    return [(str(word(name)), part) for name, part in frame.groupby(color, sort=False)]


def funnel(counts: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Funnel(
            y=counts["stage"].map(word), x=counts["contacts"], textinfo="value+percent previous"
        )
    )
    return figure.update_layout(
        title="Funnel: contacts that reached each stage",
        xaxis_title="contacts",
        yaxis_title="stage",
        **LAYOUT,
    )


def lines(frame: pd.DataFrame, x: str, y: str, color: str, title: str) -> go.Figure:
    traces = [
        go.Scatter(x=part[x], y=part[y], mode="lines", name=name)
        for name, part in _grouped(frame, color)
    ]
    return go.Figure(traces).update_layout(
        title=title, xaxis_title=header(x), yaxis_title=header(y), **LAYOUT
    )


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
    traces = [
        go.Bar(x=part[x].map(word), y=part[y], name=name or header(y))
        for name, part in _grouped(frame, color)
    ]
    return go.Figure(traces).update_layout(
        title=title, barmode="group", xaxis_title=header(x), yaxis_title=header(y), **LAYOUT
    )


def heatmap(matrix: pd.DataFrame, title: str, percent: bool = False) -> go.Figure:
    figure = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=[str(word(c)) for c in matrix.columns],
            y=[str(word(i)) for i in matrix.index],
            colorscale="Blues",
            texttemplate="%{z:.0%}" if percent else "%{z}",
            colorbar={"title": "share" if percent else "count"},
        )
    )
    return figure.update_layout(
        title=title,
        xaxis_title=header(matrix.columns.name or "column"),
        yaxis_title=header(matrix.index.name or "row"),
        **LAYOUT,
    )


def stacked_bars(matrix: pd.DataFrame, title: str, unit: str = "count") -> go.Figure:
    traces = [
        go.Bar(x=[str(word(i)) for i in matrix.index], y=matrix[c], name=str(word(c)))
        for c in matrix.columns
    ]
    return go.Figure(traces).update_layout(
        title=title,
        barmode="stack",
        xaxis_title=header(matrix.index.name or "row"),
        yaxis_title=unit,
        **LAYOUT,
    )


def trend(long: pd.DataFrame, x: str, y: str, color: str, title: str) -> go.Figure:
    traces = [
        go.Scatter(x=part[x], y=part[y], name=name, stackgroup="one", mode="lines")
        for name, part in _grouped(long, color)
    ]
    return go.Figure(traces).update_layout(
        title=title, xaxis_title=header(x), yaxis_title=header(y), **LAYOUT
    )


def sankey(transitions: pd.DataFrame) -> go.Figure:
    labels = sorted(set(transitions["source"]) | set(transitions["target"]))
    position = {label: i for i, label in enumerate(labels)}
    link = {
        "source": transitions["source"].map(position).tolist(),
        "target": transitions["target"].map(position).tolist(),
        "value": transitions["count"].tolist(),
    }
    shown = [str(word(label)) for label in labels]
    figure = go.Figure(go.Sankey(node={"label": shown, "pad": 18}, link=link))
    return figure.update_layout(title="Applied stage changes", **LAYOUT)


def against_capacity(
    frame: pd.DataFrame, x: str, y: str, capacity: str, title: str, unit: str
) -> go.Figure:
    """Bars of `y` per `x`, each with its capacity drawn as a line across the bar and its number
    beside it; the axis always reaches past the highest bar and the highest capacity."""
    over = frame[y] > frame[capacity]
    bars = go.Bar(
        x=frame[x],
        y=frame[y],
        name=unit,
        marker_color=["#d62728" if o else "#1f77b4" for o in over],
        hovertemplate="%{x}: %{y:,.1f} " + unit + "<extra></extra>",
    )
    lines = go.Scatter(
        x=frame[x],
        y=frame[capacity],
        mode="markers+text",
        name="capacity",
        marker={"symbol": "line-ew-open", "size": 46, "color": "black", "line": {"width": 3}},
        text=[f"capacity {c:,.0f}" for c in frame[capacity]],
        textposition="top center",
        hovertemplate="%{x}: capacity %{y:,.0f}<extra></extra>",
    )
    top = max(float(frame[y].max()), float(frame[capacity].max()), 1.0) if len(frame) else 1.0
    return go.Figure([bars, lines]).update_layout(
        title=title,
        xaxis_title=header(x),
        yaxis_title=unit,
        yaxis_range=[0, top * 1.2],
        showlegend=False,
        **LAYOUT,
    )


def score_over_time(
    trail: pd.DataFrame, threshold: float, span: tuple[pd.Timestamp, pd.Timestamp]
) -> go.Figure:
    """A lead's score after each stored change and now over `span` (its life so far), with its MQL
    threshold as a line (and its number) inside the plotted range."""
    points = go.Scatter(
        x=trail["at"],
        y=trail["score"],
        mode="lines+markers",
        name="score",
        hovertemplate="%{x|%Y-%m-%d %H:%M}: %{y:.1f} points<extra></extra>",
    )
    low = min(float(trail["score"].min()) if len(trail) else 0.0, threshold, 0.0)
    high = max(float(trail["score"].max()) if len(trail) else 0.0, threshold, 1.0)
    pad = (high - low) * 0.15 or 1.0
    figure = go.Figure(points).update_layout(
        title="Score over time (points)",
        xaxis_title="time (UTC)",
        yaxis_title="points",
        yaxis_range=[low - pad, high + pad],
        xaxis_range=[span[0] - pd.Timedelta(days=1), span[1] + pd.Timedelta(days=1)],
        showlegend=False,
        **LAYOUT,
    )
    figure.add_hline(
        y=threshold,
        line_dash="dash",
        annotation_text=f"MQL threshold {threshold:g}",
        annotation_position="top left",
    )
    return figure


def utilisation(frame: pd.DataFrame, x: str, used: str, capacity: str, title: str) -> go.Figure:
    """Each bar: `used` as a percentage of its own `capacity` (rows without capacity left out), with
    capacity itself as one line at 100 % and its number beside it, inside the plotted range."""
    shown = frame[frame[capacity] > 0]
    percent = shown[used] / shown[capacity] * 100
    bars = go.Bar(
        x=shown[x],
        y=percent,
        marker_color=["#d62728" if p > 100 else "#1f77b4" for p in percent],
        customdata=shown[[used, capacity]].to_numpy(),
        hovertemplate="%{x}: %{y:.0f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>",
    )
    top = max(float(percent.max()) if len(percent) else 0.0, 100.0) * 1.2
    figure = go.Figure(bars).update_layout(
        title=title, xaxis_title=header(x), yaxis_title="% of weekly capacity",
        yaxis_range=[0, top], showlegend=False, **LAYOUT,
    )  # fmt: skip
    figure.add_hline(
        y=100, line_dash="dash", annotation_text="capacity 100%", annotation_position="top left"
    )
    return figure
