"""Steps of Streamlit AppTest sessions shared by the app tests: run, go to an area, read a block in order."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

XIAODIAN, TAIYUAN = "140105", "140100"


def run(at: AppTest) -> AppTest:
    """Run the script once more; a script exception fails the test with its message."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def to_area(at: AppTest, level: str, city: str | None = None, county: str | None = None) -> AppTest:
    """Choose a level in the sidebar, then its city and county, running after each choice."""
    at.sidebar.radio(key="level@zh").set_value(level)
    run(at)
    if city is not None:
        at.sidebar.selectbox(key="city@zh").set_value(city)
        run(at)
    if county is not None:
        at.sidebar.selectbox(key="county@zh").set_value(county)
        run(at)
    return at


def to_county(at: AppTest, county: str = XIAODIAN, city: str = TAIYUAN) -> AppTest:
    """Go to a county (its city first), as a planner does in the sidebar."""
    return to_area(at, "county", city, county)


def flat(node) -> list:
    """The elements of a block in page order (columns and containers opened; an empty column holds none)."""
    out = []
    for k in sorted(node.children):
        child = node.children[k]
        out += flat(child) if hasattr(child, "children") else [child]
    return out
