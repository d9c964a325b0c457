"""资产盘活驾驶舱's server — `streamlit run dashboard/server.py`.

The pages are dashboard/app.py; this wraps them in Streamlit's ASGI app (`st.App`) so the
guard (dashboard/guard.py) sees every request first: no `clear_cache` but an
administrator's, no `/_stcore/metrics` without sign-in.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:             # `streamlit run dashboard/server.py` puts only dashboard/ there
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from dashboard.guard import Guard  # noqa: E402

app = st.App("app.py", middleware=[Middleware(Guard)])
