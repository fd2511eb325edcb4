"""sxgeo planner app: ``streamlit run app.py`` (or ``make app``).

A thin shell: the app itself is :mod:`sxgeo.app` (page in :mod:`sxgeo.app.main`);
the data and analyses come from the sxgeo core.
"""

from sxgeo.app.main import main

main()
