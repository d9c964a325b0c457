"""资产盘活驾驶舱 — the pages' script; served by `streamlit run dashboard/server.py` (which adds the guard).

The shell: page config, the shared sidebar (data source, as_of, filters, parameters,
rules) and the navigation over pages/ as listed in dashboard/ui/pages.py.
"""
import sys
from pathlib import Path

# Streamlit puts only dashboard/ on sys.path.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

import streamlit as st  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException  # noqa: E402

from dashboard.store import mode  # noqa: E402
from dashboard.ui import auth, data, sidebar, style, supervision  # noqa: E402
from dashboard.ui.context import set_current  # noqa: E402
from dashboard.ui.pages import HOME, PAGES, remember, spec_of  # noqa: E402

# A local icon: ":material/…:" as page_icon is fetched from an outside font server, which a
# government intranet does not reach.
st.set_page_config(page_title="资产盘活驾驶舱", page_icon=str(ROOT / "dashboard" / "static" / "favicon.png"),
                   layout="wide")


def navigation(user):
    """Every page has its URL whoever asks (a forwarded link resolves before sign-in); the
    menu shows what the user may open: nothing but 公示 before sign-in."""
    home = st.Page(f"../pages/{HOME.file}", title=HOME.title, icon=HOME.icon, default=True, visibility="hidden")
    sections: dict[str, list] = {"": [home]}
    for p in PAGES:
        shown = p.public or (user is not None and (p.right is None or user.may(p.right)))
        title = supervision.nav_title(p.title, user) if shown and p.right == "answer_supervision" else p.title
        page = st.Page(f"../pages/{p.file}", title=title, icon=p.icon, url_path=p.url, default=p.default,
                       visibility="visible" if shown else "hidden")
        remember(p.url, page)
        sections.setdefault(p.section, []).append(page)
    # expanded=True: every page the user may open is listed, grouped by section (the default folds
    # past 12 pages behind an English "View 3 more" that hid 公示, 系统管理, 审计记录 — issue 19.7).
    return st.navigation(sections, position="sidebar" if user is not None else "hidden", expanded=True)


style.apply()
data.begin_run()                      # settings read once per run: another process's edit shows now

try:
    user, unavailable = auth.gate(), False
except auth.StoreUnavailable:         # fail closed: nothing but 公示 (served from what was published)
    user, unavailable = None, True
nav = navigation(user)
spec = spec_of(nav.url_path)


def guarded(draw) -> None:
    """Draw; a store that stops answering mid-page is a Chinese line, not an error box."""
    try:
        draw()
    except ScriptControlException:
        raise
    except SQLAlchemyError:
        logging.getLogger("dashboard.ui").exception("the store failed during %s", nav.url_path)
        st.error(mode.UNAVAILABLE_MESSAGE)


def run_page() -> None:
    guarded(nav.run)


if spec.public:                       # 公示: no sign-in, no sidebar of the cockpit
    run_page()
    st.stop()
if unavailable:
    auth.unavailable_page()
    st.stop()
if user is None:
    guarded(auth.sign_in_form)
    st.stop()
if spec.right and not user.may(spec.right):
    st.title(spec.title)
    st.error(f"当前账号（{user.role_zh}）无权使用本页。")
    auth.record("open_page", spec.title, outcome="refused")
    st.stop()
st.sidebar.markdown("### 资产盘活驾驶舱")
auth.sidebar_box(user)
if user.demo:       # a phone keeps the sidebar folded: the notice stands on the page too (issue 19.7)
    st.container(key="demo_notice").warning("演示模式：尚未创建管理员账号，可以浏览和上传查看，但不会保存任何内容。")
supervision.reminder(user, nav.url_path)       # a town's or department's open 督办, on every other page
try:
    sidebar.build(user)
except ScriptControlException:
    raise
except Exception as exc:  # noqa: BLE001 — a broken sidebar must still leave the upload page usable
    logging.getLogger("dashboard.ui").exception("sidebar failed")
    set_current(None, f"数据载入失败（{type(exc).__name__}），请重新选择数据来源或上传台账。")
    st.sidebar.error("数据载入失败，请重新选择数据来源或上传台账。")
run_page()
