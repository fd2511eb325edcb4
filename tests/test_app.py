"""The Streamlit app's logic, run headless with streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_app_starts_on_the_bundled_data_and_says_it_is_synthetic():
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "山西省公共服务设施缺口分析"
    assert "合成数据" in at.warning[0].value
    rows = at.dataframe[0].value
    assert rows.iloc[:, 1].sum() > 20000  # all four demo layers, whole province
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Shanxi public-service gap analysis"
    assert "SYNTHETIC" in at.warning[0].value
