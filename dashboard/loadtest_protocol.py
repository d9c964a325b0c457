"""The sessions of `loadtest --client protocol`: Streamlit's own websocket protocol, no browser.

A session is one websocket to /_stcore/stream speaking the protobufs a browser speaks (BackMsg
up, ForwardMsg down).  It reads the widgets each run draws (id, label, options), signs in
through the same form a person fills, and asks for reruns as the browser does: a page by its
script hash, the town filter by the 镇 multiselect's value.  A page run is timed from the rerun
request to its script_finished, as the browser client times it.  No page is drawn, so the
clients cost the machine little and the server's share is what a run on one machine measures
(issue 20.2: 20 browser pages on the same two cores had taken most of the CPU).
"""
from __future__ import annotations

import asyncio
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

SIDEBAR = 1          # the sidebar's root container in a delta's path (main is 0)
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


class ProtocolError(RuntimeError):
    pass


class Session:
    """One signed-in session over the websocket protocol."""

    def __init__(self, url: str, route: str | None, timeout: float):
        self.ws_url = url.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/_stcore/stream"
        self.route, self.timeout = route, timeout
        self.count = 0                      # finished runs (script_finished, successfully)
        self.pages: dict[str, str] = {}     # url path → page script hash (the navigation message)
        self.page_hash = ""
        self.widgets: dict[str, object] = {}    # "kind:label" → element proto, of the latest run
        self.alerts: list[str] = []             # alert texts of the latest run
        self.states: dict[str, WidgetState] = {}
        self._ws = None
        self._reader: asyncio.Task | None = None

    async def open(self, page: str) -> None:
        import websockets
        headers = {"Cookie": f"zcph_route={self.route}"} if self.route else None
        self._ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], additional_headers=headers,
                                            max_size=None, open_timeout=self.timeout, ping_interval=None)
        self._reader = asyncio.create_task(self._read())
        await self.rerun(page_name=page)

    @property
    def closed(self) -> bool:
        """The connection ended (the reader stopped)."""
        return self._reader is not None and self._reader.done()

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()

    async def _read(self) -> None:
        async for payload in self._ws:
            if isinstance(payload, str):
                continue
            self._take(ForwardMsg.FromString(payload))

    def _take(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":           # a run starts: its widgets replace the last run's
            self.widgets, self.alerts = {}, []
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, list(msg.metadata.delta_path))
        elif kind == "script_finished" and msg.script_finished in DONE:
            self.count += 1

    def _element(self, element, path: list[int]) -> None:
        kind = element.WhichOneof("type")
        if kind in ("text_input", "button", "multiselect"):
            place = "sidebar" if path and path[0] == SIDEBAR else "main"
            self.widgets[f"{place}:{kind}:{getattr(element, kind).label}"] = getattr(element, kind)
        elif kind == "alert":
            self.alerts.append(element.alert.body)

    async def rerun(self, page_hash: str | None = None, page_name: str = "",
                    trigger: str | None = None) -> float:
        """Ask for a run as the browser does (every widget value set so far, a page, a pressed
        button) and wait for it to finish; the seconds it took."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = page_hash if page_hash is not None else self.page_hash
        state.page_name = page_name
        state.widget_states.widgets.extend(self.states.values())
        if trigger:
            state.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        before, started = self.count, time.monotonic()
        await self._ws.send(msg.SerializeToString())
        deadline = started + self.timeout
        while self.count <= before:
            if self.closed:
                raise ProtocolError(f"连接已断开：{self._reader.exception()!r}")
            if time.monotonic() > deadline:
                raise TimeoutError("no finished run")
            await asyncio.sleep(0.01)
        if page_hash:
            self.page_hash = page_hash
        return time.monotonic() - started

    def widget(self, key: str):
        found = self.widgets.get(key)
        if found is None:
            raise ProtocolError(f"本次运行没有{key}（有：{', '.join(self.widgets) or '无'}）")
        return found

    async def sign_in(self, user: str, password: str) -> str | None:
        """Fill 用户名 and 密码 and press 登录: None once signed in (the sidebar's filters are
        drawn), else what the page answered (登录繁忙, 请N秒后再试, 用户名或密码不正确 …)."""
        name, secret = self.widget("main:text_input:用户名"), self.widget("main:text_input:密码")
        self.states[name.id] = WidgetState(id=name.id, string_value=user)
        self.states[secret.id] = WidgetState(id=secret.id, string_value=password)
        await self.rerun(trigger=self.widget("main:button:登录").id)   # counted after the st.rerun() it makes
        if "heatmap" in self.pages and "sidebar:multiselect:镇" in self.widgets:
            del self.states[name.id], self.states[secret.id]     # a signed-in page has no such widgets
            return None
        return "；".join(self.alerts) or "登录后没有出现筛选栏"

    async def go(self, page: str) -> float:
        if page not in self.pages:
            raise ProtocolError(f"没有页面{page}（有：{', '.join(self.pages)}）")
        return await self.rerun(page_hash=self.pages[page])

    async def towns(self, chosen: list[str]) -> float:
        box = self.widget("sidebar:multiselect:镇")
        for stale in [k for k in self.states if k != box.id and k.endswith(".towns")]:
            self.states.pop(stale)
        state = WidgetState(id=box.id)
        state.string_array_value.data.extend(chosen)
        self.states[box.id] = state
        return await self.rerun()

    def town_options(self) -> list[str]:
        return list(self.widget("sidebar:multiselect:镇").options)


async def act(session: Session, kind: str, target: str | None, n: int) -> float | None:
    """One action of loadtest's round; the seconds of its run (None: nothing to do)."""
    if kind == "nav":
        return await session.go(target)
    box = session.widget("sidebar:multiselect:镇")
    if kind == "town":
        options = session.town_options()
        return await session.towns([options[n % len(options)]])
    chosen = session.states.get(box.id)
    if chosen is None or not chosen.string_array_value.data:
        return None
    return await session.towns([])

