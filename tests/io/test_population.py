"""Population inputs: census tables per township and population grids as residential layers."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin

from sxgeo.errors import LayerReadError
from sxgeo.io.population import age_defaults, load_population_grid, load_population_table

# A corner inside 小店区 (140105), south of Taiyuan.
LON0, LAT0 = 112.60, 37.70
CELL_DEG = 0.001


def _tif(path, values, *, crs="EPSG:4326", transform=None, nodata=None, dtype="float32", bands=1):
    values = np.asarray(values)
    transform = transform or from_origin(LON0, LAT0, CELL_DEG, CELL_DEG)
    with rasterio.open(path, "w", driver="GTiff", height=values.shape[-2], width=values.shape[-1], count=bands,
                       dtype=dtype, crs=crs, transform=transform, nodata=nodata) as ds:
        for b in range(1, bands + 1):
            ds.write(values.astype(dtype) if values.ndim == 2 else values[b - 1].astype(dtype), b)
    return path


def test_defaults_are_the_2020_census_share_and_the_stated_assumption():
    assert age_defaults() == {"pop_3_5": 0.033, "pop_60_plus": 0.1892}


def test_a_grid_over_xiaodian_gives_one_point_per_cell_with_default_ages(tmp_path):
    values = np.arange(1, 13, dtype=float).reshape(3, 4) * 10  # 10..120, total 780
    res = load_population_grid(_tif(tmp_path / "pop.tif", values))
    layer = res.layer
    assert len(layer) == 12
    assert layer["population"].sum() == 780
    assert layer["pop_3_5"].sum() == pytest.approx(780 * 0.033)
    assert layer["pop_60_plus"].sum() == pytest.approx(780 * 0.1892)
    assert set(layer["county_code"]) == {"140105"}
    assert res.cells == {"total": 12, "loaded": 12, "nodata": 0, "negative": 0, "zero": 0, "outside": 0}
    first = layer.set_index("id").loc["G0-0"]
    assert first["lon"] == pytest.approx(LON0 + CELL_DEG / 2)
    assert first["lat"] == pytest.approx(LAT0 - CELL_DEG / 2)
    assert first["population"] == 10
    assert "780" in res.summary("en") and "12 loaded" in res.summary("en")
    assert not any(k.startswith("pop_grid_warn") for k, _ in res.messages)


def test_nodata_negative_and_zero_cells_are_skipped_and_counted(tmp_path):
    values = np.array([[-9999, 5, -3, 0], [7, -9999, 8, 2]], dtype=float)
    res = load_population_grid(_tif(tmp_path / "holes.tif", values, nodata=-9999))
    assert res.cells == {"total": 8, "loaded": 4, "nodata": 2, "negative": 1, "zero": 1, "outside": 0}
    assert res.layer["population"].sum() == 22
    text = res.summary("zh")
    assert "无数据 2" in text and "负值 1" in text and "零值 1" in text


def test_a_projected_grid_is_reprojected_to_lonlat(tmp_path):
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)
    x0, y0 = to_utm.transform(LON0, LAT0)
    x0, y0 = round(x0, -2), round(y0, -2)
    values = np.full((3, 4), 2.0)
    res = load_population_grid(_tif(tmp_path / "utm.tif", values, crs="EPSG:32649", transform=from_origin(x0, y0, 100, 100)))
    assert len(res.layer) == 12
    back = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)
    lon, lat = back.transform(x0 + 50, y0 - 50)
    first = res.layer.set_index("id").loc["G0-0"]
    assert first["lon"] == pytest.approx(lon, abs=1e-7)
    assert first["lat"] == pytest.approx(lat, abs=1e-7)
    assert 112.5 < lon < 112.7 and 37.6 < lat < 37.8
    assert set(res.layer["county_code"]) == {"140105"}


def test_a_grid_outside_shanxi_is_an_error_naming_the_file(tmp_path):
    path = _tif(tmp_path / "beijing.tif", np.ones((2, 2)), transform=from_origin(116.4, 39.9, CELL_DEG, CELL_DEG))
    with pytest.raises(LayerReadError) as err:
        load_population_grid(path)
    assert "beijing.tif" in err.value.message("en") and "does not overlap Shanxi" in err.value.message("en")
    assert len(err.value.message("zh").splitlines()) == 1


def test_rgb_imagery_and_implausible_values_are_warned(tmp_path):
    rgb = np.stack([np.full((2, 3), v) for v in (120, 200, 30)])
    res = load_population_grid(_tif(tmp_path / "photo.tif", rgb, dtype="uint8", bands=3))
    assert [k for k, _ in res.messages if k.startswith("pop_grid_warn")] == ["pop_grid_warn_rgb"]
    assert "RGB" in res.summary("en")
    dense = load_population_grid(_tif(tmp_path / "dense.tif", np.full((2, 2), 5000.0),
                                      crs="EPSG:32649", transform=from_origin(*_utm_corner(), 100, 100)))
    assert [k for k, _ in dense.messages if k.startswith("pop_grid_warn")] == ["pop_grid_warn_density"]


def _utm_corner():
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True).transform(LON0, LAT0)
    return round(x, -2), round(y, -2)


def test_grid_ages_can_come_from_a_census_table(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("乡镇代码,常住人口,3-5岁人口,60岁及以上人口\n140105100,1000,50,200\n", encoding="utf-8")
    table = load_population_table(csv)
    res = load_population_grid(_tif(tmp_path / "g.tif", np.full((1, 2), 100.0)), age_shares=table)
    assert res.layer["pop_3_5"].tolist() == pytest.approx([5.0, 5.0])
    assert res.layer["pop_60_plus"].tolist() == pytest.approx([20.0, 20.0])


# --- census tables ---------------------------------------------------------------------------


def test_a_table_with_codes_and_counts(tmp_path):
    csv = tmp_path / "census.csv"
    csv.write_text(
        "乡镇代码,常住人口,3-5岁人口,60岁及以上人口\n"
        "140105001,52000,1500,9000\n"
        "140105100,30000,,\n",
        encoding="utf-8",
    )
    res = load_population_table(csv)
    assert res.rejected.empty
    layer = res.layer.set_index("id")
    assert layer.loc["140105001", "name"] == "坞城街道"
    assert bool(layer.loc["140105001", "urban"]) is True
    assert bool(layer.loc["140105100", "urban"]) is False  # 北格镇
    assert layer.loc["140105001", "pop_3_5"] == 1500 and layer.loc["140105001", "pop_60_plus"] == 9000
    assert layer.loc["140105100", "pop_3_5"] == round(30000 * 0.033) == 990
    assert layer.loc["140105100", "pop_60_plus"] == round(30000 * 0.1892) == 5676
    assert "default share" in layer.loc["140105100", "notes_en"]
    assert not layer["located"].any()
    assert "approximate" in layer.loc["140105001", "notes_en"]
    assert set(layer["county_code"]) == {"140105"}
    assert res.summary("en").count("\n") == 1  # the load line and the approximate-location note


def test_a_table_with_names_rejects_an_unmatched_name_with_close_matches(tmp_path):
    csv = tmp_path / "names.csv"
    csv.write_text(
        "区县,乡镇,常住人口\n"
        "小店区,北格镇,30000\n"
        "小店区,刘家堡,12000\n"
        "小店区,坞城路街道,8000\n",
        encoding="utf-8",
    )
    res = load_population_table(csv)
    assert sorted(res.layer["id"]) == ["140105100", "140105201"]
    assert res.rejected["row"].tolist() == [4]
    assert res.rejected["reason_key"].tolist() == ["population_unmatched_close"]
    assert "坞城街道" in res.rejected["reason"].iloc[0]
    assert "close matches" in res.rejected["reason_en"].iloc[0]


def test_shares_in_percent_or_fractions_and_0_14(tmp_path):
    csv = tmp_path / "shares.csv"
    csv.write_text(
        "township_code,resident population,60岁及以上占比,0-14岁人口\n"
        "140105001,10000,20.5,1500\n"
        "140105002,20000,19%,\n",
        encoding="utf-8",
    )
    layer = load_population_table(csv).layer.set_index("id")
    assert layer.loc["140105001", "pop_60_plus"] == 2050
    assert layer.loc["140105002", "pop_60_plus"] == 3800
    assert layer.loc["140105001", "pop_3_5"] == 300  # 0-14 x 3/15
    assert layer.loc["140105002", "pop_3_5"] == 660  # default share
    frac = tmp_path / "frac.csv"
    frac.write_text("乡镇代码,常住人口,60岁以上人口比重\n140105001,10000,0.25\n", encoding="utf-8")
    assert load_population_table(frac).layer["pop_60_plus"].tolist() == [2500]


def test_township_polygons_locate_the_points(tmp_path):
    import geopandas as gpd
    import shapely

    poly = shapely.box(112.55, 37.70, 112.57, 37.72)
    tp = gpd.GeoDataFrame({"code": ["140105001"]}, geometry=[poly], crs="EPSG:4326")
    csv = tmp_path / "c.csv"
    csv.write_text("乡镇代码,常住人口\n140105001,100\n140105002,200\n", encoding="utf-8")
    layer = load_population_table(csv, township_polygons=tp).layer.set_index("id")
    assert bool(layer.loc["140105001", "located"]) is True
    assert poly.contains(layer.loc["140105001", "geometry"])
    assert bool(layer.loc["140105002", "located"]) is False


def test_bad_rows_are_rejected_and_a_table_without_population_is_an_error(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("乡镇代码,常住人口,3-5岁人口\n140105001,abc,\n140105002,100,500\n140105001,5,\n", encoding="utf-8")
    res = load_population_table(csv)
    assert res.rejected["reason_key"].tolist() == ["bad_value", "age_gt_population"]
    assert res.layer["id"].tolist() == ["140105001"]
    nopop = tmp_path / "nopop.csv"
    nopop.write_text("乡镇代码,户数\n140105001,100\n", encoding="utf-8")
    with pytest.raises(LayerReadError, match="nopop.csv"):
        load_population_table(nopop)


def test_a_file_that_is_no_raster_is_an_error_naming_only_the_file(tmp_path):
    from sxgeo.errors import LayerReadError
    from sxgeo.io.population import load_population_grid

    path = tmp_path / "secret-folder" / "人口.tif"
    path.parent.mkdir()
    path.write_text("名称,人口\n甲,1\n", encoding="utf-8")
    with pytest.raises(LayerReadError) as err:
        load_population_grid(path, display_name="人口.tif")
    message = err.value.message("zh")
    assert "人口.tif" in message and "secret-folder" not in message and str(tmp_path) not in message
