"""Plotly figures of a report's charts, and their PNG images through kaleido.

kaleido drives Debian's chromium; one sync server is started per process
(≈ 0.2 s per image with it, ≈ 2 s without).  A failed image (once in four runs at
100,000 assets: `OSError: Directory not empty: 'Default'`, chromium's profile left
behind) is tried once more on a fresh server; if that fails too, the writers print
`omitted(chart)` in the chart's place: a report is never lost for want of a chart,
and no traceback reaches the user (one warning line in the log).
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import warnings

import plotly.graph_objects as go

from dashboard import safe
from dashboard.reports.document import Chart

FONT = "Noto Sans CJK SC, Noto Sans SC, SimHei, sans-serif"
RED, YELLOW = "#c00000", "#e6a700"
_server_started = False
# kaleido's sync server hands each result to whichever caller asks next: two images drawn at
# once (two users downloading, or the Word and Excel writers' drawing threads) could swap.
# So one image at a time in the process; the lock also guards starting and stopping the server.
_kaleido = threading.Lock()
DRAW_TIMEOUT_S = 120          # a writer waits this long for an image, then prints the sentence instead
log = logging.getLogger(__name__)
# plotly passes kopts to kaleido's server, which ignores them and warns each time; a
# catch_warnings block per image is not thread-safe (it swaps the process's filters)
warnings.filterwarnings("ignore", message="The kopts argument is ignored", category=UserWarning)


def figure(chart: Chart) -> go.Figure:
    # towns, months and series names come from the ledgers: plotly reads <b>, <a href> … in
    # them, so they are drawn as text (safe.chart_text), on the page and in the Word file alike
    chart = dataclasses.replace(chart, title=safe.chart_text(chart.title), x=[safe.chart_text(v) for v in chart.x],
                                y=[safe.chart_text(v) for v in chart.y])
    fig = {"heatmap": _heatmap, "trend": _trend, "milestones": _milestones}[chart.kind](chart)
    fig.update_layout(title={"text": chart.title, "x": 0.5}, font={"family": FONT, "size": 18},
                      paper_bgcolor="white", plot_bgcolor="white", margin={"l": 90, "r": 30, "t": 60, "b": 60})
    return fig


def _heatmap(chart: Chart) -> go.Figure:
    fig = go.Figure(go.Heatmap(z=chart.z, x=chart.x, y=chart.y, colorscale="Reds", xgap=2, ygap=2,
                               text=chart.z, texttemplate="%{text}", hoverongaps=False,
                               colorbar={"title": {"text": "资产数"}}))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="bottom", type="category")
    return fig


def _trend(chart: Chart) -> go.Figure:
    fig = go.Figure()
    for name, values, color in zip(chart.y, chart.z, (RED, YELLOW)):
        fig.add_trace(go.Scatter(x=chart.x, y=values, name=name, mode="lines+markers+text",
                                 text=values, textposition="top center", line={"color": color, "width": 3}))
    fig.update_yaxes(title="资产数（项）", rangemode="tozero", gridcolor="#dddddd")
    fig.update_layout(legend={"orientation": "h", "y": -0.15, "x": 0.5, "xanchor": "center"})
    return fig


def _milestones(chart: Chart) -> go.Figure:
    fig = go.Figure()
    for name, values, color in zip(chart.y, chart.z, ("#7f7f7f", "#1f4e79")):
        shown = [None if v is None else v * 100 for v in values]
        fig.add_trace(go.Bar(x=chart.x, y=shown, name=name, marker_color=color,
                             text=[("" if v is None else f"{v:.1f}%") for v in shown], textposition="outside"))
    fig.update_yaxes(title="完成率（%）", range=[0, 115], gridcolor="#dddddd")
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.15, "x": 0.5, "xanchor": "center"})
    return fig


ATTEMPTS = 2                  # the first try and one retry


def omitted(chart: Chart) -> str:
    """What a document says in place of a chart that could not be drawn (its table comes first)."""
    return f"（{chart.title}：图表生成失败，已略去，数据见上表。）"


def _start_server() -> None:
    """With _kaleido held."""
    global _server_started
    if not _server_started:
        import kaleido
        kaleido.start_sync_server(silence_warnings=True)
        _server_started = True


def _restart_server() -> None:
    """Drop a server that failed, so the retry starts a fresh one (and a fresh browser
    profile); with _kaleido held."""
    global _server_started
    if _server_started:
        try:
            import kaleido
            kaleido.stop_sync_server(silence_warnings=True)
        except Exception:  # noqa: BLE001 — a server already gone is what we want
            pass
        _server_started = False


def _render(chart: Chart, width: int, height: int) -> bytes:
    _start_server()
    return figure(chart).to_image(format="png", width=width, height=height, scale=2)


def png(chart: Chart, width: int = 1000, height: int = 560) -> bytes | None:
    """The chart as PNG bytes, or None when no browser could draw it, tried twice."""
    with _kaleido:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return _render(chart, width, height)
            except Exception as err:  # noqa: BLE001 — a missing browser must not cost the whole report
                log.warning("chart image %r failed (attempt %d of %d): %s: %s",
                            chart.title, attempt, ATTEMPTS, type(err).__name__, err)
                if attempt < ATTEMPTS:
                    _restart_server()
    return None


def drawn(future) -> bytes | None:
    """A drawing thread's image, or None when it failed or took longer than DRAW_TIMEOUT_S
    (a browser that died while starting leaves kaleido waiting for ever)."""
    try:
        return future.result(timeout=DRAW_TIMEOUT_S)
    except Exception as err:  # noqa: BLE001 — the document is written without the chart, and says so
        log.warning("chart image not ready: %s: %s", type(err).__name__, err)
        return None
