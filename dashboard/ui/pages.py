"""The one list of pages: app.py builds the navigation from it, the browser test
visits whatever the navigation shows.  A new page = a file under pages/ + one line here."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    section: str
    file: str          # under pages/
    title: str
    icon: str
    url: str
    default: bool = False
    right: str | None = None      # what the role must be allowed (ui/auth.py RIGHTS); None = any user
    public: bool = False          # drawn without sign-in (公示, 群众监管)


PAGES: list[PageSpec] = [
    PageSpec("驾驶舱", "overview.py", "总览", ":material/dashboard:", "overview"),
    PageSpec("驾驶舱", "heatmap.py", "预警热力图", ":material/grid_on:", "heatmap"),
    PageSpec("驾驶舱", "ledger.py", "资产台账", ":material/table_view:", "ledger"),
    PageSpec("驾驶舱", "income.py", "收益与分配", ":material/payments:", "income"),
    PageSpec("驾驶舱", "progress.py", "盘活进度", ":material/trending_up:", "progress"),
    PageSpec("驾驶舱", "disposal.py", "处置与销号", ":material/fact_check:", "disposal"),
    PageSpec("驾驶舱", "report.py", "报告", ":material/description:", "report"),
    PageSpec("督办", "supervision_inbox.py", "督办事项", ":material/inbox:", "inbox", right="answer_supervision"),
    PageSpec("督办", "supervision.py", "督办", ":material/gavel:", "supervision", right="supervise"),
    PageSpec("数据", "submissions.py", "报送情况", ":material/assignment_turned_in:", "submissions",
             right="monthly"),
    PageSpec("数据", "upload.py", "数据上传", ":material/upload_file:", "upload", right="upload"),
    PageSpec("数据", "quality.py", "数据质量", ":material/rule:", "quality"),
    PageSpec("数据", "sql_console.py", "SQL 查询", ":material/terminal:", "sql"),
    PageSpec("公开", "gongshi.py", "公示", ":material/campaign:", "gongshi", public=True),
    PageSpec("管理", "admin.py", "系统管理", ":material/manage_accounts:", "admin", right="administer"),
    PageSpec("管理", "audit.py", "审计记录", ":material/history:", "audit", right="administer"),
]


# The root page (hidden): it sends the visitor on to 总览, so /overview is a real path.
HOME = PageSpec("", "home.py", "资产盘活驾驶舱", ":material/home:", "home", default=True)
_OBJECTS: dict = {}


def page_object(url: str):
    """The st.Page built for a url path in this run (for st.switch_page)."""
    return _OBJECTS[url]


def remember(url: str, page) -> None:
    _OBJECTS[url] = page


def spec_of(url_path: str) -> PageSpec:
    """The spec of the page a run draws (the root page for the empty path)."""
    return next((p for p in PAGES if p.url == url_path), HOME)
