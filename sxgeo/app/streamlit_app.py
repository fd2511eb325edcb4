"""The Streamlit script of the planner app, run by ``sxgeo app`` (and by ``streamlit run app.py``)."""

from sxgeo.app.main import main

main()
