"""The PostGIS workspace backend: its own promises (messages without passwords, real PostGIS tables, one transaction)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
from postgis_server import free_port
from shapely.geometry import Point

from sxgeo.errors import StoreError
from sxgeo.io import load_layer
from sxgeo.io.store import open_store

PASSWORD = "s3cret-Pa55word"


def test_an_unreachable_database_names_the_host_and_never_the_password(postgis_url):
    good = sa.make_url(postgis_url)
    wrong_password = good.set(password=PASSWORD).render_as_string(hide_password=False)
    closed_port = good.set(password=PASSWORD, port=free_port()).render_as_string(hide_password=False)
    for url, host, reason in [
        (wrong_password, f"127.0.0.1:{good.port}/{good.database}", "password authentication failed"),
        (closed_port, f"127.0.0.1:{sa.make_url(closed_port).port}/{good.database}", "refused"),
    ]:
        with pytest.raises(StoreError) as err:
            open_store(url=url)
        assert err.value.key == "store.err_database"
        for lang in ("zh", "en"):
            message = err.value.message(lang)
            assert host in message and reason in message, message
            assert PASSWORD not in message and "\n" not in message
        assert PASSWORD not in repr(err.value.params)
    assert "无法连接数据库" in str(err.value)


def test_layers_are_postgis_tables_in_4326_with_null_geometries_and_chinese_columns(postgis_url):
    store = open_store(url=postgis_url)
    store.create("表在库中")
    doc_id = store.backend.read_doc("表在库中")["id"]
    layer = load_layer(pd.DataFrame([
        {"编号": "K1", "名称": "甲园", "性质": "公办", "学位数": 120, "经度": 112.56, "纬度": 37.81, "地址": ""},
        {"编号": "K2", "名称": "乙园", "性质": "民办", "学位数": 90, "经度": "", "纬度": "", "地址": "太原市小店区北格镇"},
    ]), "kindergartens")
    assert layer.layer.geometry.isna().tolist() == [False, True]
    store.add_layer("表在库中", layer)
    version = store.backend.read_doc("表在库中")["layers"]["kindergartens"]["versions"][0]
    table = f"ws_{doc_id}_{version['table']}"
    id_column = f"c{[name for name, *_ in version['columns']].index('id')}"  # headers are stored as c0, c1 …
    engine = sa.create_engine(postgis_url)
    with engine.connect() as conn:
        column, srid = conn.execute(sa.text("SELECT f_geometry_column, srid FROM geometry_columns WHERE f_table_name = :t"),
                                    {"t": table}).one()
        rows = conn.execute(sa.text(
            f'SELECT "{id_column}", ST_SRID("{column}"), ST_AsText("{column}") FROM "{table}" ORDER BY 1')).all()
    assert srid == 4326
    assert rows == [("K1", 4326, "POINT(112.56 37.81)"), ("K2", None, None)]

    # a table written straight through the backend: Chinese column names (with full-width brackets) stay as they are,
    # a layer without any geometry is still a geometry table, and a failed write keeps nothing
    odd = gpd.GeoDataFrame({"学位数（个）": [1, 2], "名称": ["甲", None]}, geometry=[Point(112.5, 37.8), None], crs=4326)
    empty = gpd.GeoDataFrame({"名称": ["无坐标"]}, geometry=gpd.GeoSeries([None], crs=4326), crs=4326)
    with store.backend.writing("表在库中") as txn:
        txn.write_table("layer_odd_v1", odd)
        txn.write_table("layer_empty_v1", empty)
        txn.doc["osm"] = "/data/map.osm.pbf"
    got = store.backend.read_table("表在库中", "layer_odd_v1")
    assert list(got.columns) == ["学位数（个）", "名称", "geometry"] and got.crs.to_epsg() == 4326
    assert got["学位数（个）"].tolist() == [1, 2] and got["名称"].tolist()[0] == "甲" and pd.isna(got["名称"].iloc[1])
    assert got.geometry.iloc[0].equals(Point(112.5, 37.8)) and got.geometry.iloc[1] is None
    nothing = store.backend.read_table("表在库中", "layer_empty_v1")
    assert isinstance(nothing, gpd.GeoDataFrame) and nothing.geometry.isna().all() and nothing["名称"].tolist() == ["无坐标"]

    with pytest.raises(RuntimeError), store.backend.writing("表在库中") as txn:
        txn.write_table("layer_lost_v1", odd)
        txn.doc["osm"] = None
        raise RuntimeError("the caller fails half-way")
    assert store.info("表在库中").osm == "/data/map.osm.pbf"
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": f"ws_{doc_id}_layer_lost_v1"}).scalar() is None

    # renaming moves no table
    store.rename("表在库中", "表还在库中")
    assert store.layer("表还在库中", "kindergartens").layer["id"].tolist() == ["K1", "K2"]
    engine.dispose()
