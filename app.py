"""sxgeo planner app: ``streamlit run app.py`` (or ``make app``).

A thin shell: all Streamlit code is here and in :mod:`sxgeo.app.main` (and
``sxgeo.webapp_*``); the data and analyses come from the sxgeo core.
"""

from sxgeo.app.main import main

main()
