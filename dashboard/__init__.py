"""资产盘活驾驶舱 — the dashboard package.

Everything the app and its commands write (the store, saved months, submissions, import
profiles, evidence, exports) is readable by its owner only: the data folder holds people's
names and the banner's unpublished figures, and a shared intranet server has other users
(issue 18 item 8: store.sqlite was 0644).
"""
import os

os.umask(0o077)
