"""Quantities the plan's targets are judged on, computed from layers.

Pure functions: loaded layers (from :mod:`sxgeo.io`) in, tidy tables out.
Every share whose denominator is zero or missing is NaN ("no data"), never 0.

Units are identified by code: 9-digit townships, 6-digit counties and cities,
and ``"140000"`` for the province.  Every unit of a level appears in the
output, including units with no facilities at all.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from sxgeo.layers.admin import METRIC_CRS
from sxgeo.layers.geometry import located

__all__ = [
    "PROVINCE",
    "QUANTITIES",
    "units",
    "kindergartens_by_township",
    "kindergartens_by_county",
    "kindergarten_gaps",
    "enrolment",
    "nursing_beds",
    "beds_per_100_elderly",
    "mutual_aid_by_township",
    "new_per_year",
    "minor_protection",
    "tidy",
]

PROVINCE = ("140000", "山西省")

#: quantity -> (levels it exists at, Chinese description, English description)
QUANTITIES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "public_kindergartens": (("township",), "公办幼儿园数", "public kindergartens"),
    "central_kindergartens": (("township",), "公办中心园数", "public central kindergartens"),
    "inclusive_private_kindergartens": (("township",), "普惠性民办幼儿园数", "inclusive private kindergartens"),
    "township_public_kg_share": (
        ("county", "city", "province"),
        "有公办园的乡镇比例（乡、镇）",
        "share of 乡/镇 with a public kindergarten",
    ),
    "subdistrict_public_kg_share": (
        ("county", "city", "province"),
        "有公办园的街道比例",
        "share of 街道 with a public kindergarten",
    ),
    "gross_enrolment_rate": (("county", "city", "province"), "学前三年毛入园率", "gross preschool enrolment"),
    "inclusive_coverage": (("county", "city", "province"), "普惠性幼儿园覆盖率", "inclusive kindergarten coverage"),
    "nursing_bed_share": (("county", "city", "province"), "护理型床位占比", "nursing-type share of beds"),
    "beds_per_100_elderly": (
        ("county", "city", "province"),
        "每百名老年人养老床位数",
        "beds per 100 residents aged 60+",
    ),
    "mutual_aid_homes": (("township",), "农村互助幸福院数", "rural mutual-aid homes"),
    "fitness_walk_share": (
        ("township", "county", "city", "province"),
        "健身设施步行覆盖人口比例",
        "population share within walking time of fitness",
    ),
    "elderly_walk_share": (
        ("township", "county", "city", "province"),
        "社区养老设施步行覆盖人口比例",
        "population share within walking time of community elderly care",
    ),
    "medical_15min_share": (
        ("township", "county", "city", "province"),
        "15 分钟医疗服务圈覆盖人口比例（城镇步行，农村按目标文件的出行方式）",
        "population share within 15 minutes of primary care (urban walking, rural by the target's mode)",
    ),
    "hospital_drive_share": (
        ("township", "county", "city", "province"),
        "驾车时间内可达医院的人口比例（按医院等级）",
        "population share within a drive time of a hospital of the given level",
    ),
    "presence": (
        ("township", "county", "city"),
        "设施数（每个单元至少应有的设施）",
        "facilities per unit (presence rule)",
    ),
    "new_community_fitness_centres": (
        ("province", "city", "county"),
        "当年新建社区全民健身中心数",
        "new community fitness centres in the year",
    ),
    "new_community_elderly_sites": (
        ("province", "city", "county"),
        "当年新建社区养老服务设施数",
        "new community elderly-care sites in the year",
    ),
    "kg_seats_per_1000": (
        ("township", "county", "city", "province"),
        "服务范围内每千名 3-5 岁儿童拥有学位数（两步移动搜索法）",
        "kindergarten seats within reach per 1,000 children aged 3-5 (2SFCA)",
    ),
    "elderly_beds_per_1000": (
        ("township", "county", "city", "province"),
        "服务范围内每千名 60 岁以上老人拥有养老床位数（两步移动搜索法）",
        "elderly-care beds within reach per 1,000 residents aged 60+ (2SFCA)",
    ),
    "fitness_per_10000": (
        ("township", "county", "city", "province"),
        "服务范围内每万名居民拥有健身设施数（两步移动搜索法）",
        "fitness facilities within reach per 10,000 residents (2SFCA)",
    ),
    "access_urban_rural_ratio": (
        ("county", "city", "province"),
        "城镇与农村居民平均可达性之比",
        "ratio of urban to rural residents' mean accessibility",
    ),
    "minor_protection_city_share": (
        ("province",),
        "有市级未成年人救助保护机构的市比例",
        "share of cities with a minor-protection institution",
    ),
    "minor_protection_county_share": (
        ("province",),
        "有县级未成年人救助保护机构的区县比例",
        "share of counties with a minor-protection institution",
    ),
}

_LEVEL_KEY = {"county": "county_code", "city": "city_code"}


def units(level: str, counties: pd.DataFrame, townships: pd.DataFrame | None = None) -> pd.DataFrame:
    """All units of a level: ``unit_code``, ``unit_name`` (and ``unit_kind`` for townships)."""
    if level == "province":
        return pd.DataFrame({"unit_code": [PROVINCE[0]], "unit_name": [PROVINCE[1]]})
    if level == "city":
        c = counties.drop_duplicates("city_code").sort_values("city_code")
        return pd.DataFrame({"unit_code": c["city_code"].to_numpy(), "unit_name": c["city_name"].to_numpy()})
    if level == "county":
        c = counties.sort_values("adcode")
        return pd.DataFrame({"unit_code": c["adcode"].to_numpy(), "unit_name": c["name"].to_numpy()})
    if level == "township":
        if townships is None:
            raise ValueError("the township level needs the township table")
        return pd.DataFrame(
            {
                "unit_code": townships["code"].to_numpy(),
                "unit_name": townships["name"].to_numpy(),
                "unit_kind": townships["kind"].to_numpy(),
            }
        )
    raise ValueError(f"unknown level {level!r}")


def _unit_key(frame: pd.DataFrame, level: str) -> pd.Series:
    """The unit code of each row of a layer at ``level``."""
    if level == "province":
        return pd.Series(PROVINCE[0], index=frame.index)
    if level == "township":
        return frame["township_code"]
    return frame[_LEVEL_KEY[level]]


def _sum_by(frame: pd.DataFrame | None, level: str, columns: dict[str, pd.Series | str], all_units: pd.DataFrame) -> pd.DataFrame:
    """Sum columns per unit, reindexed to every unit (missing -> 0 where the layer exists)."""
    out = all_units.set_index("unit_code")
    if frame is None:
        for name in columns:
            out[name] = np.nan
        return out
    data = pd.DataFrame(
        {name: (frame[c] if isinstance(c, str) else c).astype("Float64") for name, c in columns.items()}, index=frame.index
    )
    data["_unit"] = _unit_key(frame, level)
    summed = data.groupby("_unit").sum(min_count=1)
    for name in columns:
        out[name] = summed[name].reindex(out.index).astype(float)
    return out


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    num, den = num.astype(float), den.astype(float)
    return (num / den).where(den > 0)


def tidy(frame: pd.DataFrame, level: str, quantity: str, value: str, numerator: str | None = None,
         denominator: str | None = None, params_key: tuple = (), period=None) -> pd.DataFrame:
    """Turn a per-unit table (indexed by unit code) into rows of the tidy quantity table."""
    f = frame.reset_index()
    return pd.DataFrame(
        {
            "level": level,
            "unit_code": f["unit_code"].to_numpy(),
            "unit_name": f["unit_name"].to_numpy(),
            "unit_kind": f["unit_kind"].to_numpy() if "unit_kind" in f else None,
            "quantity": quantity,
            "params_key": [params_key] * len(f),
            "period": period,
            "value": f[value].astype(float).to_numpy(),
            "numerator": f[numerator].astype(float).to_numpy() if numerator else np.nan,
            "denominator": f[denominator].astype(float).to_numpy() if denominator else np.nan,
        }
    )


# --- kindergartens -------------------------------------------------------------------------


def kindergartens_by_township(
    kindergartens: pd.DataFrame | None, townships: pd.DataFrame, residential: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per township: public, central and inclusive private kindergartens, and pass/fail.

    Returns every township of the list (1,283 for Shanxi), indexed by ``unit_code``,
    with ``unit_name``, ``unit_kind`` (镇/乡/街道), ``county_code``,
    ``county_name``, ``city_code``, ``public``, ``central``,
    ``inclusive_private``, ``private``, ``unknown_ownership`` (kindergartens
    whose ownership the data do not say, as in a map-service POI list: never
    counted as public, reported apart so that a planner can check them),
    ``passes`` (at least one public; NA when no kindergarten layer was given), ``population`` and ``pop_3_5`` (from the
    residential layer, NaN when absent).
    """
    all_units = units("township", pd.DataFrame(), townships)
    tw = townships.set_index("code")
    if kindergartens is not None:
        kg = kindergartens[kindergartens["township_code"].notna()]
        public = kg["ownership"].eq("public")
        central = public & kg.get("central", pd.Series(False, index=kg.index)).fillna(False).astype(bool)
        inclusive = kg.get("inclusive", pd.Series(False, index=kg.index)).fillna(False).astype(bool)
        private = kg["ownership"].eq("private")
        unknown = kg["ownership"].eq("unknown")
        counts = _sum_by(
            kg,
            "township",
            {
                "public": public.astype(int),
                "central": central.astype(int),
                "inclusive_private": (private & inclusive).astype(int),
                "private": private.astype(int),
                "unknown_ownership": unknown.astype(int),
            },
            all_units,
        ).fillna({"public": 0, "central": 0, "inclusive_private": 0, "private": 0, "unknown_ownership": 0})
        counts["passes"] = (counts["public"] >= 1).astype("boolean")
    else:
        counts = _sum_by(None, "township", dict.fromkeys(("public", "central", "inclusive_private", "private",
                                                          "unknown_ownership"), ""), all_units)
        counts["passes"] = pd.array([pd.NA] * len(counts), dtype="boolean")
    cols = {"population": "population"}
    if residential is not None and "pop_3_5" in residential:
        cols["pop_3_5"] = "pop_3_5"
    res = residential[residential["township_code"].notna()] if residential is not None else None
    people = _sum_by(res, "township", cols, all_units)
    counts["population"] = people["population"]
    counts["pop_3_5"] = people.get("pop_3_5", np.nan)
    counts["county_code"] = tw.loc[counts.index, "county_code"].to_numpy()
    counts["county_name"] = tw.loc[counts.index, "county_name"].to_numpy()
    counts["city_code"] = tw.loc[counts.index, "city_code"].to_numpy()
    return counts


def kindergartens_by_county(by_township: pd.DataFrame, counties: pd.DataFrame, level: str = "county") -> pd.DataFrame:
    """Share of 乡/镇 (and, apart, of 街道) with a public kindergarten, per county, city or province."""
    all_units = units(level, counties)
    frame = by_township.reset_index()
    frame = frame.rename(columns={"unit_code": "township_code"})
    is_rural = frame["unit_kind"].isin(["镇", "乡"])
    known = frame["passes"].notna()
    passes = frame["passes"].fillna(False).astype(int)
    out = _sum_by(
        frame,
        level,
        {
            "townships": (is_rural & known).astype(int),
            "townships_passing": (is_rural & known).astype(int) * passes,
            "subdistricts": (~is_rural & known).astype(int),
            "subdistricts_passing": (~is_rural & known).astype(int) * passes,
        },
        all_units,
    )
    out["township_share"] = _ratio(out["townships_passing"], out["townships"])
    out["subdistrict_share"] = _ratio(out["subdistricts_passing"], out["subdistricts"])
    return out


def _township_anchor(residential: pd.DataFrame | None, township_polygons: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """One point per township.

    Its polygon's interior point, else the population-weighted centre of its
    residential points.
    """
    frames = []
    if township_polygons is not None and len(township_polygons):
        pts = township_polygons.to_crs(METRIC_CRS).representative_point()
        frames.append(
            pd.DataFrame(
                {"code": township_polygons["code"].to_numpy(), "x": pts.x.to_numpy(), "y": pts.y.to_numpy(), "anchor": "polygon"}
            )
        )
    if residential is not None and len(residential):
        r = located(residential)
        r = r[r["township_code"].notna()].to_crs(METRIC_CRS)
        w = r["population"].astype(float).fillna(0).clip(lower=0) + 1e-9
        df = pd.DataFrame({"code": r["township_code"].to_numpy(), "x": r.geometry.x * w, "y": r.geometry.y * w, "w": w})
        g = df.groupby("code")[["x", "y", "w"]].sum()
        frames.append(
            pd.DataFrame(
                {"code": g.index, "x": (g["x"] / g["w"]).to_numpy(), "y": (g["y"] / g["w"]).to_numpy(), "anchor": "residential"}
            )
        )
    if not frames:
        return gpd.GeoDataFrame({"code": [], "anchor": []}, geometry=[], crs=METRIC_CRS)
    allp = pd.concat(frames, ignore_index=True).drop_duplicates("code", keep="first")
    return gpd.GeoDataFrame(allp, geometry=gpd.points_from_xy(allp["x"], allp["y"]), crs=METRIC_CRS)


def kindergarten_gaps(
    by_township: pd.DataFrame,
    kindergartens: pd.DataFrame | None,
    residential: pd.DataFrame | None,
    *,
    township_polygons: gpd.GeoDataFrame | None = None,
    include_subdistricts: bool = False,
) -> gpd.GeoDataFrame:
    """Townships without a public kindergarten, most populous first.

    Each row gives the township, its population and children aged 3–5, and the
    nearest public kindergarten (id, name, county) with its straight-line
    distance in metres from the township's anchor point (the township polygon's
    interior point when polygons are loaded, else the population-weighted
    centre of its residential points; ``anchor`` says which).  Geometry is the
    anchor point in EPSG:4326 (empty when neither exists).
    """
    kinds = ["镇", "乡", "街道"] if include_subdistricts else ["镇", "乡"]
    gaps = by_township[(by_township["passes"] == False) & by_township["unit_kind"].isin(kinds)].copy()  # noqa: E712
    anchors = _township_anchor(residential, township_polygons).set_index("code")
    gaps["anchor"] = anchors["anchor"].reindex(gaps.index)
    gaps["nearest_public_id"] = None
    gaps["nearest_public_name"] = None
    gaps["nearest_public_county"] = None
    gaps["nearest_public_m"] = np.nan
    geom = gpd.GeoSeries([None] * len(gaps), index=gaps.index, crs=METRIC_CRS)
    has_anchor = gaps.index.isin(anchors.index)
    geom[has_anchor] = anchors.geometry.reindex(gaps.index[has_anchor])
    if kindergartens is not None:
        public = located(kindergartens)
        public = public[public["ownership"].eq("public")]
        if len(public) and has_anchor.any():
            pts = public.to_crs(METRIC_CRS)
            tree = cKDTree(np.column_stack([pts.geometry.x, pts.geometry.y]))
            a = anchors.loc[gaps.index[has_anchor]]
            dist, idx = tree.query(np.column_stack([a.geometry.x, a.geometry.y]))
            sel = gaps.index[has_anchor]
            gaps.loc[sel, "nearest_public_id"] = public["id"].to_numpy()[idx]
            gaps.loc[sel, "nearest_public_name"] = public["name"].to_numpy()[idx]
            gaps.loc[sel, "nearest_public_county"] = public["county_name"].to_numpy()[idx]
            gaps.loc[sel, "nearest_public_m"] = np.round(dist, 1)
    gaps = gaps.sort_values(["population", "unit_code"], ascending=[False, True], na_position="last")
    out = gpd.GeoDataFrame(gaps.reset_index(), geometry=geom.reindex(gaps.index).to_numpy(), crs=METRIC_CRS)
    return out.to_crs("EPSG:4326")


def enrolment(
    kindergartens: pd.DataFrame | None, residential: pd.DataFrame | None, counties: pd.DataFrame, level: str = "county"
) -> pd.DataFrame:
    """Gross preschool enrolment and inclusive coverage.

    Gross enrolment is enrolled / children aged 3–5; inclusive coverage is
    children in public and inclusive private kindergartens / all enrolled.
    """
    all_units = units(level, counties)
    has_enrolled = kindergartens is not None and "enrolled" in kindergartens
    kg = kindergartens if has_enrolled else None
    if kg is not None:
        inclusive = kg["ownership"].eq("public") | kg.get("inclusive", pd.Series(False, index=kg.index)).fillna(False).astype(bool)
        counts = _sum_by(kg, level, {"enrolled": "enrolled", "enrolled_inclusive": kg["enrolled"].where(inclusive, 0)}, all_units)
    else:
        counts = _sum_by(None, level, {"enrolled": "", "enrolled_inclusive": ""}, all_units)
    has_ages = residential is not None and "pop_3_5" in residential
    kids = _sum_by(residential if has_ages else None, level, {"pop_3_5": "pop_3_5"}, all_units)
    counts["pop_3_5"] = kids["pop_3_5"]
    counts["gross_enrolment_rate"] = _ratio(counts["enrolled"], counts["pop_3_5"])
    counts["inclusive_coverage"] = _ratio(counts["enrolled_inclusive"], counts["enrolled"])
    return counts


# --- elderly care ---------------------------------------------------------------------------


def nursing_beds(elderly: pd.DataFrame | None, counties: pd.DataFrame, level: str = "county") -> pd.DataFrame:
    """Beds, nursing-type beds and the nursing share per unit (NaN where there are no beds)."""
    all_units = units(level, counties)
    ok = elderly is not None and "beds" in elderly and "nursing_beds" in elderly
    out = _sum_by(elderly if ok else None, level, {"beds": "beds", "nursing_beds": "nursing_beds"}, all_units)
    if ok:
        out = out.fillna({"beds": 0.0, "nursing_beds": 0.0})
    out["nursing_bed_share"] = _ratio(out["nursing_beds"], out["beds"])
    return out


def beds_per_100_elderly(
    elderly: pd.DataFrame | None, residential: pd.DataFrame | None, counties: pd.DataFrame, level: str = "county"
) -> pd.DataFrame:
    """Elderly-care beds per 100 residents aged 60+ (NaN where age data are missing)."""
    out = nursing_beds(elderly, counties, level)
    has_ages = residential is not None and "pop_60_plus" in residential
    old = _sum_by(residential if has_ages else None, level, {"pop_60_plus": "pop_60_plus"}, units(level, counties))
    out["pop_60_plus"] = old["pop_60_plus"]
    out["beds_per_100_elderly"] = _ratio(out["beds"] * 100.0, out["pop_60_plus"])
    return out


def mutual_aid_by_township(elderly: pd.DataFrame | None, townships: pd.DataFrame) -> pd.DataFrame:
    """Rural mutual-aid homes (农村互助幸福院) per township."""
    all_units = units("township", pd.DataFrame(), townships)
    if elderly is None:
        return _sum_by(None, "township", {"mutual_aid_homes": ""}, all_units)
    e = elderly[elderly["township_code"].notna()]
    out = _sum_by(e, "township", {"mutual_aid_homes": e["care_kind"].eq("mutual_aid").astype(int)}, all_units)
    return out.fillna({"mutual_aid_homes": 0.0})


# --- construction per year -------------------------------------------------------------------


def new_per_year(
    layer: pd.DataFrame | None,
    mask: pd.Series | None,
    counties: pd.DataFrame,
    years: range,
    level: str = "province",
) -> dict[int, pd.DataFrame]:
    """Facilities opened in each year (``opening_year``), per unit; NaN when no year data exist."""
    all_units = units(level, counties)
    out = {}
    usable = layer is not None and "opening_year" in layer and layer["opening_year"].notna().any()
    for year in years:
        if not usable:
            frame = _sum_by(None, level, {"count": ""}, all_units)
        else:
            sel = layer[mask] if mask is not None else layer
            frame = _sum_by(sel, level, {"count": sel["opening_year"].eq(year).fillna(False).astype(int)}, all_units)
            frame = frame.fillna({"count": 0.0})
        out[year] = frame
    return out


# --- minor protection --------------------------------------------------------------------------


def minor_protection(layer: pd.DataFrame | None, counties: pd.DataFrame) -> pd.DataFrame:
    """Province-level shares of cities and counties with a minor-protection institution.

    An institution counts for its city when its ``admin_level`` is ``city``,
    and for its county otherwise.  Without the layer both shares are NaN.
    """
    prov = units("province", counties).set_index("unit_code")
    n_cities = counties["city_code"].nunique()
    n_counties = len(counties)
    if layer is None:
        prov["cities_with"] = np.nan
        prov["counties_with"] = np.nan
    else:
        level = layer["admin_level"] if "admin_level" in layer else pd.Series("county", index=layer.index)
        prov["cities_with"] = float(layer.loc[level.eq("city"), "city_code"].nunique())
        prov["counties_with"] = float(layer.loc[~level.eq("city"), "county_code"].nunique())
    prov["cities"] = float(n_cities)
    prov["counties"] = float(n_counties)
    prov["city_share"] = _ratio(prov["cities_with"], prov["cities"])
    prov["county_share"] = _ratio(prov["counties_with"], prov["counties"])
    return prov
