"""The app's CSS: phone layout and Streamlit's own English words we cannot set."""
import streamlit as st

# On a phone Streamlit stacks every column: KPI cards (st.metric rows) go two to a row instead.
CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-direction: row !important; flex-wrap: wrap !important; gap: 0.5rem !important; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 0.5rem) !important; width: calc(50% - 0.5rem) !important;
    min-width: calc(50% - 0.5rem) !important; }
  /* A card is about 160 px wide: 2.25rem cut 万元 values to "60,454.…". */
  [data-testid="stMetricValue"] { font-size: 1.5rem !important; }
  [data-testid="stMetricValue"] > div { overflow: visible !important; text-overflow: clip !important; }
  /* A touch screen always shows a table's or chart's toolbar, 44 px above it: room for it, so it
     sits on no caption, legend or page-number box. */
  [data-testid="stElementContainer"]:has([data-testid="stElementToolbar"]) { margin-top: 1.75rem; }
  /* 预警热力图: cells of 13 px cannot be read or tapped; the list by town below says the same. */
  .st-key-heatmap_grid { display: none !important; }
}
/* 演示模式 on the page itself only while the sidebar, which says it at length, is folded (a phone). */
body:has([data-testid="stSidebar"][data-collapsed="false"]) .st-key-demo_notice { display: none; }
/* The file uploader's own words are English and cannot be set (upstream issue #13500):
   its button reads 选择文件 and the page says the limits in Chinese. */
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p {
  font-size: 0; }
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.875rem; }
</style>"""


def apply() -> None:
    st.html(CSS)
