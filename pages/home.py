"""The root URL.  Streamlit serves its default page at "" and answers an unknown path
with an English dialog, so 总览 at the root could not be linked as /overview.  This hidden
default page only sends the visitor on to 总览 (/overview): every page has a path of its own."""
import streamlit as st

from dashboard.ui.pages import page_object

st.switch_page(page_object("overview"))
