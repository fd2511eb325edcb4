"""Find counties, townships and facilities by name: one index, built once, searched per keystroke.

:meth:`SearchIndex.build` puts Shanxi's counties, the official townships and
the facilities of the loaded layers into one table; :meth:`SearchIndex.search`
matches a query against their names.  Both the query and the names are
normalised (Unicode NFKC, so full-width letters, digits and spaces become
half-width; case folded; whitespace removed), and administrative names are also
matched without their suffix (区/县/市, 街道/镇/乡), so "北格" is an exact hit
on 北格镇 and "平遥" on 平遥县.

Results are ranked exact > prefix > substring, then counties before townships
before facilities, then by code.  Every result has a label in Chinese and in
English that names its county and city, so two counties that share a name
(the two 城区) are told apart.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from sxgeo.text import has, t

__all__ = ["RESULT_COLUMNS", "SearchIndex", "normalise_query"]

#: Columns of :meth:`SearchIndex.search`'s result, in order.
RESULT_COLUMNS = ["kind", "code", "name", "county_code", "county_name", "city_name", "label_zh", "label_en",
                  "lon", "lat", "bbox"]

#: Kind of the county and township rows; facility rows carry their layer's kind.
COUNTY, TOWNSHIP = "county", "township"
_KIND_RANK = {COUNTY: 0, TOWNSHIP: 1}  # facilities: 2
#: Match ranks: the name (or the name without its suffix, or the code) is the query, starts with it, holds it.
EXACT, PREFIX, SUBSTRING = 0, 1, 2
#: An administrative name without its suffix keeps at least two characters (城区 stays 城区, 盂县 stays 盂县).
_SUFFIX = r"^(?P<key>.{2,}?)(?:街道办事处|街道|镇|乡|区|县|市)$"
_SEP = " · "


def normalise_query(text: object) -> str:
    """Text as it is compared: NFKC (full-width to half-width), case folded, without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def _normalise(names: pd.Series) -> pd.Series:
    """:func:`normalise_query` of every name, vectorised."""
    return (names.fillna("").astype(str).str.normalize("NFKC").str.casefold()
            .str.replace(r"\s+", "", regex=True).astype("str"))


def _point_and_bbox(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray, list]:
    """Lon, lat of a point inside each geometry (NaN when missing) and its bounds (None when missing)."""
    geoms = geoms.to_crs("EPSG:4326") if geoms.crs is not None and not geoms.crs.equals("EPSG:4326") else geoms
    ok = (geoms.notna() & ~geoms.is_empty).to_numpy().copy()
    lon, lat = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
    bbox: list = [None] * len(geoms)
    if ok.any():
        inner = geoms[ok].representative_point()
        lon[ok], lat[ok] = inner.x.to_numpy(), inner.y.to_numpy()
        for i, bounds in zip(np.flatnonzero(ok), geoms[ok].bounds.to_numpy()):
            bbox[i] = tuple(float(v) for v in bounds)
    return lon, lat, bbox


def _label(parts: pd.DataFrame) -> pd.Series:
    """The non-empty columns of each row joined by `` · ``."""
    cols = [parts[c].fillna("").astype(str) for c in parts.columns]
    return pd.Series([_SEP.join(p for p in row if p) for row in zip(*cols)], index=parts.index, dtype="str")


def _county_rows(counties: pd.DataFrame) -> pd.DataFrame:
    """Index rows of the counties (labelled name · city)."""
    geoms = counties.geometry if isinstance(counties, gpd.GeoDataFrame) else gpd.GeoSeries([None] * len(counties))
    lon, lat, bbox = _point_and_bbox(geoms)
    out = pd.DataFrame({
        "kind": COUNTY, "code": counties["adcode"].astype(str).to_numpy(), "name": counties["name"].to_numpy(),
        "county_code": counties["adcode"].astype(str).to_numpy(), "lon": lon, "lat": lat, "bbox": bbox,
    })
    word = t("cat.admin_level.county", "en")
    out["_zh"] = out["name"]
    out["_en"] = out["name"] + f" ({word})"
    return out


def _township_rows(townships: pd.DataFrame, township_polygons: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Index rows of the townships, placed by their own geometry or by ``township_polygons`` when either is known."""
    n = len(townships)
    lon, lat, bbox = np.full(n, np.nan), np.full(n, np.nan), [None] * n
    if isinstance(townships, gpd.GeoDataFrame):
        lon, lat, bbox = _point_and_bbox(townships.geometry)
    if township_polygons is not None and len(township_polygons):
        polys = township_polygons.drop_duplicates("code")
        plon, plat, pbbox = _point_and_bbox(polys.geometry)
        pos = pd.Series(np.arange(len(polys)), index=polys["code"].astype(str).to_numpy())
        at = townships["code"].astype(str).map(pos).to_numpy()
        for i, j in enumerate(at):
            if not math.isnan(j) and math.isnan(lon[i]):
                lon[i], lat[i], bbox[i] = plon[int(j)], plat[int(j)], pbbox[int(j)]
    out = pd.DataFrame({
        "kind": TOWNSHIP, "code": townships["code"].astype(str).to_numpy(), "name": townships["name"].to_numpy(),
        "county_code": townships["county_code"].astype(str).to_numpy(), "lon": lon, "lat": lat, "bbox": bbox,
    })
    out["_zh"] = out["name"]
    kind_en = townships["kind_en"] if "kind_en" in townships else pd.Series([""] * n)
    out["_en"] = [f"{name} ({k})" if isinstance(k, str) and k else name for name, k in zip(out["name"], kind_en)]
    return out


def _facility_rows(kind: str, layer: gpd.GeoDataFrame) -> pd.DataFrame:
    """Index rows of one facility layer; a row without a location has NaN coordinates."""
    geoms = layer.geometry
    if geoms.crs is not None and not geoms.crs.equals("EPSG:4326"):
        geoms = geoms.to_crs("EPSG:4326")
    ok = (geoms.notna() & ~geoms.is_empty).to_numpy().copy()
    if "located" in layer:
        ok &= layer["located"].fillna(False).astype(bool).to_numpy()
    ok[ok] = (geoms[ok].geom_type == "Point").to_numpy()
    lon, lat = np.full(len(layer), np.nan), np.full(len(layer), np.nan)
    lon[ok], lat[ok] = geoms[ok].x.to_numpy(), geoms[ok].y.to_numpy()
    codes = layer["id"] if "id" in layer else pd.Series(layer.index, index=layer.index)
    county = layer["county_code"] if "county_code" in layer else pd.Series([None] * len(layer), index=layer.index)
    out = pd.DataFrame({
        "kind": kind, "code": codes.astype(str).to_numpy(), "name": layer["name"].fillna("").astype(str).to_numpy(),
        "county_code": county.where(county.notna(), None).to_numpy(dtype=object), "lon": lon, "lat": lat,
        "bbox": None,
    })
    label_zh = t(f"kind.{kind}", "zh") if has(f"kind.{kind}") else kind
    label_en = t(f"kind.{kind}", "en") if has(f"kind.{kind}") else kind
    out["_zh"] = out["name"] + f"（{label_zh}）"
    out["_en"] = out["name"] + f" ({label_en})"
    return out


@dataclass(frozen=True, eq=False)
class SearchIndex:
    """Counties, townships and facilities, searchable by name (build with :meth:`build`)."""

    table: pd.DataFrame  # RESULT_COLUMNS, sorted by kind rank then code
    _norm: pd.Series  # normalised names
    _norm_len: np.ndarray  # their lengths
    _key_len: np.ndarray  # lengths of the normalised names without their administrative suffix
    _code: np.ndarray  # normalised codes

    @classmethod
    def build(cls, counties: pd.DataFrame, townships: pd.DataFrame, layers: dict | None = None, *,
              township_polygons: gpd.GeoDataFrame | None = None) -> SearchIndex:
        """Index the counties, the townships and the facilities of ``layers``.

        Parameters
        ----------
        counties : pandas.DataFrame
            :func:`sxgeo.layers.boundaries.load_counties` (``adcode``, ``name``, ``city_code``,
            ``city_name``; with a geometry, counties get a point and a bounding box).
        townships : pandas.DataFrame
            :func:`sxgeo.layers.boundaries.load_townships` (``code``, ``name``, ``county_code``;
            ``kind_en`` names the kind in the English label); a GeoDataFrame places them.
        layers : dict, optional
            Layer kind -> GeoDataFrame (``id``, ``name``, ``county_code``, points in EPSG:4326);
            None values and layers without a ``name`` column are skipped.
        township_polygons : geopandas.GeoDataFrame, optional
            The user's township polygons (``code`` and polygons): they place the townships they cover.
        """
        parts = [_county_rows(counties), _township_rows(townships, township_polygons)]
        for kind, layer in (layers or {}).items():
            if layer is not None and len(layer) and "name" in layer:
                parts.append(_facility_rows(kind, layer))
        table = pd.concat(parts, ignore_index=True)
        names = counties.assign(adcode=counties["adcode"].astype(str)).drop_duplicates("adcode").set_index("adcode")
        table["county_name"] = table["county_code"].map(names["name"])
        table["city_name"] = table["county_code"].map(names["city_name"])
        is_county = (table["kind"] == COUNTY).to_numpy()
        where = pd.DataFrame({"county": table["county_name"].where(~is_county), "city": table["city_name"]})
        table["label_zh"] = _label(pd.concat([table["_zh"].rename("name"), where], axis=1))
        table["label_en"] = _label(pd.concat([table["_en"].rename("name"), where], axis=1))
        for lang in ("zh", "en"):  # two facilities of one name in one county: tell them apart by their code
            col = f"label_{lang}"
            dup = table[col].duplicated(keep=False)
            table.loc[dup, col] = table.loc[dup, col] + _SEP + table.loc[dup, "code"]
        table["_rank"] = table["kind"].map(_KIND_RANK).fillna(2).astype(int)
        table = table.sort_values(["_rank", "code"], kind="stable", ignore_index=True)
        norm = _normalise(table["name"])
        admin = table["_rank"] < 2
        key = norm.where(~admin, norm.str.extract(_SUFFIX)["key"].fillna(norm))
        return cls(
            table=table[RESULT_COLUMNS],
            _norm=norm,
            _norm_len=norm.str.len().to_numpy(),
            _key_len=key.str.len().to_numpy(),
            _code=_normalise(table["code"]).to_numpy(dtype=object),
        )

    def __len__(self) -> int:
        return len(self.table)

    def search(self, query: str, limit: int | None = 20) -> pd.DataFrame:
        """The entries whose name holds ``query``, best first (at most ``limit``; None: all).

        A name matches when its normalised form holds the normalised query; an
        entry whose code is the query matches too.  Ranking: exact (the name, the
        name without its suffix, or the code is the query), then prefix, then
        substring; within a rank counties, townships, then facilities; then code.

        Returns
        -------
        pandas.DataFrame
            :data:`RESULT_COLUMNS`: ``kind`` (``county``, ``township`` or the facility's
            layer kind), ``code`` (adcode, township code or facility id), ``name``,
            ``county_code``, ``county_name``, ``city_name``, ``label_zh``, ``label_en``,
            ``lon``, ``lat`` (NaN when unknown) and ``bbox`` ((minx, miny, maxx, maxy) or
            None); ``attrs["total"]`` is the number of matches before the limit.
        """
        q = normalise_query(query)
        if not q:
            out = self.table.iloc[0:0].copy()
            out.attrs["total"] = 0
            return out
        pos = self._norm.str.find(q).to_numpy()
        code_hit = self._code == q
        hit = np.flatnonzero((pos >= 0) | code_hit)
        starts = pos[hit] == 0
        whole = (self._norm_len[hit] == len(q)) | (self._key_len[hit] == len(q))
        rank = np.where(code_hit[hit] | (starts & whole), EXACT, np.where(starts, PREFIX, SUBSTRING))
        order = hit[np.argsort(rank, kind="stable")]  # the table is sorted by kind, then code
        total = len(order)
        if limit is not None:
            order = order[:limit]
        out = self.table.iloc[order].reset_index(drop=True)
        out.attrs["total"] = total
        return out
