"""The dashboards' entry point (`almaty dashboards` runs it): one Streamlit page per question."""

import streamlit as st

from dashboards import PAGES

st.set_page_config(page_title="Visit Almaty analytics", page_icon=":bar_chart:", layout="wide")
ICONS = ("dashboard", "search", "hotel", "campaign", "recommend", "policy")
pages = [
    st.Page(script, title=title, icon=f":material/{icon}:", default=index == 0)
    for index, ((script, title), icon) in enumerate(zip(PAGES.items(), ICONS, strict=True))
]
st.navigation(pages).run()
