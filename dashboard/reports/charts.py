"""Plotly figures of a report's charts, and their PNG images through kaleido.

kaleido drives Debian's chromium.  The images are drawn in one child process (the
drawer), which keeps kaleido's sync server (≈ 0.2 s per image with it, ≈ 2 s without)
for the next chart; the parent waits CHART_SECONDS for each image.  A drawing that
hangs (a browser that died while starting leaves kaleido waiting for ever) has its
drawer killed at that deadline, so it costs that one chart: the next chart starts a
fresh drawer.  A failed image (once in four runs at 100,000 assets: `OSError:
Directory not empty: 'Default'`, chromium's profile left behind) is tried once more in
a fresh drawer; if that fails too, or the drawing hung, the writers print
`omitted(chart)` in the chart's place: a report is never lost for want of a chart, and
no traceback reaches the user (one warning line in the log).
"""
from __future__ import annotations

import dataclasses
import contextlib
import logging
import multiprocessing as mp
import os
import threading
import warnings

import plotly.graph_objects as go

from dashboard import safe
from dashboard.reports.document import Chart

FONT = "Noto Sans CJK SC, Noto Sans SC, SimHei, sans-serif"
RED, YELLOW = "#c00000", "#e6a700"
_server_started = False
# One drawer, one image at a time in the process (two users downloading, or the Word and Excel
# writers' drawing threads, take turns); the lock also guards starting and stopping the drawer.
# (kaleido's sync server hands each result to whichever caller asks next: inside one process
# two images drawn at once could swap.)
_kaleido = threading.Lock()
CHART_SECONDS = 60            # a drawing not done by then is given up and its drawer killed
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
    """In the drawer: kaleido's server, started for its first image."""
    global _server_started
    if not _server_started:
        import kaleido
        kaleido.start_sync_server(silence_warnings=True)
        _server_started = True


def _render(chart: Chart, width: int, height: int) -> bytes:
    """In the drawer: the PNG."""
    _start_server()
    return figure(chart).to_image(format="png", width=width, height=height, scale=2)


def _serve(conn, render) -> None:
    """The drawer's loop: (chart, width, height) in, ("ok", png) or ("error", text) out, until
    the parent closes the pipe or kills it.  Its stdout and stderr go nowhere (chromium's
    words must not reach the CLI's user); a failure comes back as text for the parent's log."""
    with contextlib.suppress(OSError):
        os.setsid()                     # not in the terminal's group: Ctrl-C is for the parent
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    while True:
        try:
            chart, width, height = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            out = ("ok", render(chart, width, height))
        except BaseException as err:  # noqa: BLE001 — told to the parent, which logs it
            out = ("error", f"{type(err).__name__}: {err}")
        try:
            conn.send(out)
        except (OSError, ValueError):
            os._exit(1)


class _Drawer:
    """The parent's side of the drawing process (one per process, used with _kaleido held)."""

    def __init__(self):
        self.proc = None
        self.conn = None

    def draw(self, chart: Chart, width: int, height: int, seconds: float) -> bytes:
        """The image, or an exception: TimeoutError past `seconds` (the drawer is killed),
        ChildProcessError when the drawer died, RuntimeError with the drawer's error."""
        if self.proc is None or not self.proc.is_alive():
            self.stop()
            self._start()
        self.conn.send((chart, width, height))
        if not self.conn.poll(seconds):
            self.stop()
            raise TimeoutError(f"no image after {seconds:g} s")
        try:
            status, value = self.conn.recv()
        except (EOFError, OSError) as err:
            code = self.proc.exitcode if self.proc else None
            self.stop()
            raise ChildProcessError(f"the drawing process ended (exit code {code})") from err
        if status != "ok":
            raise RuntimeError(value)
        return value

    def _start(self) -> None:
        from dashboard.ingest import worker         # the import workers' start method and care
        ctx = worker.context()
        ours, theirs = mp.Pipe(duplex=True)
        proc = ctx.Process(target=_serve, args=(theirs, _render), daemon=True, name="chart-drawer")
        worker.launch(ctx, proc)
        theirs.close()
        self.proc, self.conn = proc, ours

    def stop(self) -> None:
        """Kill the drawer (and with it kaleido's server; chromium leaves when its pipe closes)."""
        proc, conn, self.proc, self.conn = self.proc, self.conn, None, None
        if conn is not None:
            conn.close()
        if proc is not None:
            with contextlib.suppress(OSError, ValueError):
                proc.kill()
                proc.join(5)


_drawer = _Drawer()


def _draw(chart: Chart, width: int, height: int) -> bytes:
    return _drawer.draw(chart, width, height, CHART_SECONDS)


def _restart() -> None:
    """Drop a drawer that failed, so the next try starts a fresh one (a fresh server, a
    fresh browser profile)."""
    _drawer.stop()


def png(chart: Chart, width: int = 1000, height: int = 560) -> bytes | None:
    """The chart as PNG bytes, or None when no browser could draw it (tried twice) or the
    drawing was not done in CHART_SECONDS (not tried again: a hang costs this chart only)."""
    with _kaleido:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return _draw(chart, width, height)
            except Exception as err:  # noqa: BLE001 — a missing browser must not cost the whole report
                hung = isinstance(err, TimeoutError)
                log.warning("chart image %r failed (attempt %d of %d): %s: %s",
                            chart.title, attempt, ATTEMPTS, type(err).__name__, err)
                _restart()
                if hung:
                    break
    return None


def drawn(future) -> bytes | None:
    """A drawing thread's image, or None when it failed or took longer than DRAW_TIMEOUT_S
    (a browser that died while starting leaves kaleido waiting for ever)."""
    try:
        return future.result(timeout=DRAW_TIMEOUT_S)
    except Exception as err:  # noqa: BLE001 — the document is written without the chart, and says so
        log.warning("chart image not ready: %s: %s", type(err).__name__, err)
        return None
