"""The Streamlit app (the only module besides ``app.py`` that imports streamlit).

It shows the bundled data (or the user's own layers) for the province, a city
or a county, in Chinese by default with an English switch.  It holds no
analysis logic: it calls the sxgeo core and renders the results.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from sxgeo import boundaries
from sxgeo.demo import load_demo
from sxgeo.io import LayerReadError, load_layer
from sxgeo.layers import KINDS

TEXT = {
    "title": {"zh": "山西省公共服务设施缺口分析", "en": "Shanxi public-service gap analysis"},
    "synthetic": {
        "zh": "⚠️ 演示数据为合成数据（非真实），仅用于展示功能，不得用于决策。行政区划边界与乡镇名录为真实数据。",
        "en": "⚠️ The demo facilities and population are SYNTHETIC (not real) and must not be used for decisions. "
        "Boundaries and the township list are real.",
    },
    "language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "area": {"zh": "范围", "en": "Area"},
    "province": {"zh": "全省", "en": "Whole province"},
    "city": {"zh": "地级市", "en": "City"},
    "county": {"zh": "区县", "en": "County"},
    "all": {"zh": "（全部）", "en": "(all)"},
    "layers": {"zh": "图层概况", "en": "Layers"},
    "rows": {"zh": "行数", "en": "Rows"},
    "layer": {"zh": "图层", "en": "Layer"},
    "own_data": {"zh": "载入自己的数据", "en": "Load your own data"},
    "kind": {"zh": "图层类型", "en": "Layer kind"},
    "crs": {"zh": "坐标系", "en": "Coordinate system"},
    "upload": {"zh": "上传文件（CSV、XLSX、GeoJSON、GeoPackage、压缩的 Shapefile）", "en": "Upload a file (CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile)"},
    "rejected": {"zh": "被拒绝的行", "en": "Rejected rows"},
    "by_county": {"zh": "各区县设施数量", "en": "Facilities per county"},
    "townships": {"zh": "乡镇数", "en": "Townships"},
}

CRS_CHOICES = {"wgs84": "WGS-84 / CGCS2000", "gcj02": "GCJ-02（高德、腾讯）", "bd09": "BD-09（百度）"}


def tr(key: str, lang: str) -> str:
    return TEXT[key][lang]


@st.cache_resource(show_spinner=False)
def _demo():
    return load_demo()


@st.cache_resource(show_spinner=False)
def _admin():
    return boundaries.load_counties(), boundaries.load_townships()


def _area_filter(lang: str, counties: pd.DataFrame) -> tuple[str, str | None]:
    level = st.sidebar.radio(tr("area", lang), ["province", "city", "county"], format_func=lambda k: tr(k, lang))
    if level == "province":
        return "province", None
    cities = counties.drop_duplicates("city_code").sort_values("city_code")
    city = st.sidebar.selectbox(
        tr("city", lang), cities["city_code"], format_func=lambda c: f"{c} {cities.set_index('city_code').at[c, 'city_name']}"
    )
    if level == "city":
        return "city", city
    in_city = counties[counties["city_code"] == city].sort_values("adcode")
    county = st.sidebar.selectbox(
        tr("county", lang), in_city["adcode"], format_func=lambda c: f"{c} {in_city.set_index('adcode').at[c, 'name']}"
    )
    return "county", county


def _select(layer: pd.DataFrame, level: str, code: str | None) -> pd.DataFrame:
    if level == "province":
        return layer
    column = "city_code" if level == "city" else "county_code"
    return layer[layer[column] == code]


def main() -> None:
    st.set_page_config(page_title="sxgeo", layout="wide")
    lang = st.sidebar.radio("语言 / Language", ["zh", "en"], format_func=lambda k: {"zh": "中文", "en": "English"}[k])
    st.title(tr("title", lang))
    st.warning(tr("synthetic", lang))
    counties, townships = _admin()
    level, code = _area_filter(lang, counties)
    layers = {k: r.layer for k, r in _demo().items()}

    st.subheader(tr("layers", lang))
    summary = pd.DataFrame(
        {
            tr("layer", lang): [KINDS[k].label(lang) for k in layers],
            tr("rows", lang): [len(_select(v, level, code)) for v in layers.values()],
        }
    )
    st.dataframe(summary, hide_index=True)
    per_county = pd.DataFrame(
        {KINDS[k].label(lang): _select(v, level, code).groupby("county_name").size() for k, v in layers.items()}
    ).fillna(0).astype(int)
    st.subheader(tr("by_county", lang))
    st.dataframe(per_county)

    with st.expander(tr("own_data", lang)):
        kind = st.selectbox(tr("kind", lang), list(KINDS), format_func=lambda k: KINDS[k].label(lang))
        crs = st.selectbox(tr("crs", lang), list(CRS_CHOICES), format_func=CRS_CHOICES.get)
        upload = st.file_uploader(tr("upload", lang), type=["csv", "txt", "xlsx", "geojson", "json", "gpkg", "zip"])
        if upload is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / Path(upload.name).name
                path.write_bytes(upload.getvalue())
                try:
                    res = load_layer(path, kind, coord_system=crs, display_name=upload.name)
                except LayerReadError as err:
                    st.error(err.message(lang))
                else:
                    st.info(res.summary(lang))
                    if len(res.rejected):
                        st.subheader(tr("rejected", lang))
                        st.dataframe(res.rejected_view(lang), hide_index=True)
                    st.dataframe(pd.DataFrame(res.layer.drop(columns="geometry")), hide_index=True)
