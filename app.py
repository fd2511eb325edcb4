"""sxgeo planner app: ``streamlit run app.py`` (or ``make app``).

A thin shell: all Streamlit code is here and in :mod:`sxgeo.webapp` (and
``sxgeo.webapp_*``); the data and analyses come from the sxgeo core.
"""

from sxgeo.webapp import main

main()
