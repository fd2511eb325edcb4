#!/usr/bin/env python
"""Generate the seeded SYNTHETIC demo facility dataset in ``data/facilities/``.

Official facility lists and street-level data for Shanxi cannot be shipped, so
sxgeo comes with a synthetic but plausible demo set built on the real county
polygons and the real township list (``sxgeo.layers.boundaries``).  Township polygons
are not published, so township geography is invented:

* every county gets a seat (the point of its main polygon nearest the
  centroid, at least 2 km inside the boundary);
* 街道 (subdistricts) are placed 2-6 km from the seat, their communities
  within about 2 km of the subdistrict centre;
* 镇/乡 centres are spread over the county with a minimum spacing, villages
  around them.  In a county without 街道 the first 镇 is the seat town.

Residential points, kindergartens, elderly care and fitness facilities are
drawn from the main random stream.  Hospitals, primary care, special
education, culture and child welfare (the later files) are drawn afterwards,
each from its own stream ``np.random.default_rng([seed, n])`` (:data:`STREAMS`),
at the same places; they never consume the main stream, so the first four
files are unchanged by them.

Every point lies inside its county polygon and at least ``MARGIN_M`` metres
from the county boundary.  Each row carries the column ``数据来源`` with the
value :data:`SOURCE`.

The output is byte-identical for the same seed and the same boundary files::

    python scripts/make_demo_data.py [--seed 2021] [--out data/facilities]

Distances are computed in a per-county affine (equirectangular) metric frame:
an affine map keeps straight edges straight, so point-in-polygon tests in that
frame agree exactly with tests in longitude/latitude, and distances are
accurate to better than 1 % across a county.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
import shapely.ops

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # allow running from a checkout without installing
    sys.path.insert(0, str(REPO))

from sxgeo.layers.boundaries import load_counties, load_townships  # noqa: E402

DEFAULT_SEED = 2021
DEFAULT_OUT = REPO / "data" / "facilities"
GENERATOR = "scripts/make_demo_data.py"
#: Files the data is generated from (their SHA-256 goes into the manifest).
INPUT_FILES = ("data/boundaries/counties.geojson", "data/boundaries/townships.csv")

#: The value of the ``数据来源`` column in every row of every file.
SOURCE = "合成演示数据（非真实）/ synthetic demo data"
STATEMENT = (
    "本目录数据均为合成演示数据（非真实），不得用于任何规划或决策。"
    " All data in this folder are SYNTHETIC demo data, not real, and must not be used for decisions."
)

#: Minimum distance of every generated point from its county boundary (m).
MARGIN_M = 250.0
#: Target total population of the province (2020 census: 34.9 million; plan text: 34.6 million).
PROVINCE_POPULATION = 34_600_000
YEAR_MIN, YEAR_MAX = 1995, 2025
NEW_YEARS = list(range(2021, 2026))

RESIDENTIAL = "residential.csv"
KINDERGARTENS = "kindergartens.csv"
ELDERLY = "elderly_care.csv"
FITNESS = "fitness.csv"
HOSPITALS = "hospitals.csv"
PRIMARY_CARE = "primary_care.csv"
SPECIAL_EDUCATION = "special_education.csv"
CULTURE = "culture.csv"
CHILD_WELFARE = "child_welfare.csv"

TAIL = ["乡镇代码", "乡镇名称", "地址", "经度", "纬度", "数据来源"]
HEADERS = {
    RESIDENTIAL: ["编号", "名称", "类型", "城乡", "人口", "3-5岁人口", "60岁以上人口", *TAIL],
    KINDERGARTENS: ["编号", "名称", "性质", "普惠", "中心园", "学位数", "在园幼儿数", "建成年份", *TAIL],
    ELDERLY: ["编号", "名称", "类型", "床位数", "护理型床位数", "建成年份", *TAIL],
    FITNESS: ["编号", "名称", "类型", "建成年份", *TAIL],
    HOSPITALS: ["编号", "名称", "等级", "隶属", "床位数", "公共卫生应急基地", "建成年份", *TAIL],
    PRIMARY_CARE: ["编号", "名称", "类型", "床位数", "建成年份", *TAIL],
    SPECIAL_EDUCATION: ["编号", "名称", "类型", "学位数", "在校生数", "建成年份", *TAIL],
    CULTURE: ["编号", "名称", "类型", "级别", "免费开放", "建成年份", *TAIL],
    CHILD_WELFARE: ["编号", "名称", "级别", "床位数", "建成年份", *TAIL],
}
ID_PREFIX = {
    RESIDENTIAL: "R", KINDERGARTENS: "K", ELDERLY: "E", FITNESS: "F",
    HOSPITALS: "H", PRIMARY_CARE: "P", SPECIAL_EDUCATION: "S", CULTURE: "C", CHILD_WELFARE: "W",
}
#: The column whose values are counted per file in the manifest.
COUNTED = {
    RESIDENTIAL: "类型", KINDERGARTENS: "性质", ELDERLY: "类型", FITNESS: "类型",
    HOSPITALS: "等级", PRIMARY_CARE: "类型", SPECIAL_EDUCATION: "类型", CULTURE: "类型", CHILD_WELFARE: "级别",
}
#: Files drawn from their own random stream ``np.random.default_rng([seed, n])`` after the
#: first four, so that adding them leaves the first four files byte-identical.
STREAMS = {HOSPITALS: 1, PRIMARY_CARE: 2, SPECIAL_EDUCATION: 3, CULTURE: 4, CHILD_WELFARE: 5}

#: City code -> the county (district) holding the city's main urban area and government.
CITY_SEATS = {
    "140100": "140107",  # 太原市 杏花岭区
    "140200": "140213",  # 大同市 平城区
    "140300": "140302",  # 阳泉市 城区
    "140400": "140403",  # 长治市 潞州区
    "140500": "140502",  # 晋城市 城区
    "140600": "140602",  # 朔州市 朔城区
    "140700": "140702",  # 晋中市 榆次区
    "140800": "140802",  # 运城市 盐湖区
    "140900": "140902",  # 忻州市 忻府区
    "141000": "141002",  # 临汾市 尧都区
    "141100": "141102",  # 吕梁市 离石区
}
TAIYUAN = "140100"
#: The six urban districts of 太原, which share the provincial capital's 三级 hospitals.
TAIYUAN_URBAN = ("140105", "140106", "140107", "140108", "140109", "140110")
#: Cities whose demo data have no 三级 hospital (the "four regional medical projects" scenario adds one each).
NO_TERTIARY = ("140200", "140400", "140800", "141000")
#: 太原's 三级 hospitals: (name, tier).
TAIYUAN_TERTIARY = (
    ("山西省第一人民医院", "省级"), ("山西省第二人民医院", "省级"), ("山西省中西医结合医院", "省级"),
    ("太原市第一人民医院", "市级"), ("太原市第二人民医院", "市级"), ("太原市第三人民医院", "市级"),
    ("太原市中心医院", "市级"),
)
BEDS_BY_LEVEL = {"一级": (20, 99), "二级": (100, 499), "三级": (500, 2000), "未定级": (20, 99)}

# --- name material (synthetic) ---------------------------------------------------------
COMMUNITY_WORDS = [
    "东苑", "西苑", "南苑", "北苑", "新华", "建设", "和平", "文化", "富民", "康乐", "幸福", "团结", "胜利", "友谊",
    "光明", "育才", "朝阳", "迎春", "锦绣", "丽景", "滨河", "桃园", "杏园", "学府", "长青", "安居", "花园", "府东",
    "府西", "东关", "西关", "南关", "北关", "新村", "中心", "兴华", "振兴", "明珠", "翠苑", "金桥",
]
VILLAGE_FIRST = [
    "东", "西", "南", "北", "上", "下", "前", "后", "大", "小", "中", "新", "老", "高", "石", "柳", "杏", "桃",
    "枣", "槐", "杨", "榆", "龙", "凤", "白", "红", "青", "黄", "马", "牛", "羊", "官", "张", "王", "李", "赵",
    "刘", "陈", "郭", "田", "韩", "贾", "冯", "孟", "段", "薛", "阎", "崔", "申", "牛",
]
VILLAGE_SECOND = [
    "庄", "家庄", "沟", "峪", "坡", "河", "堡", "寨", "营", "岭", "头", "坪", "湾", "泉", "峁", "塬", "洼", "店",
    "屯", "窑", "口", "关", "桥", "滩", "村", "院", "圪垯", "家沟", "家峪", "家坪", "家堡", "庄头", "河湾",
]
PRIVATE_KG_WORDS = [
    "小太阳", "蓝天", "育英", "启明星", "金色童年", "博雅", "童心", "七彩", "阳光", "春蕾", "爱心", "贝贝", "新星",
    "智慧树", "小天使", "明德", "晨光", "彩虹", "快乐宝贝", "小百灵", "童乐", "绿苑", "红黄蓝", "小博士", "禾苗",
    "向日葵",
]
CARE_WORDS = ["颐养", "康养", "福寿", "夕阳红", "松鹤", "安康", "乐龄", "慈爱", "长寿", "颐和"]
TRAIL_WORDS = ["滨河", "环城", "森林", "湿地", "登山", "绿道", "公园", "沿山"]
PARK_WORDS = ["滨河", "中心", "文化", "奥体", "青年", "人民", "汾河", "城东", "城西", "城南", "城北"]
CN_DIGITS = "零一二三四五六七八九"
HOSPITAL_WORDS = ["第二人民医院", "妇幼保健院", "中西医结合医院", "骨科医院", "眼科医院", "口腔医院", "康复医院", "第三人民医院"]


def cn_number(n: int) -> str:
    """Chinese numeral for 1 <= n <= 99 (第一, 第十二 ...)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


def stem(township_name: str) -> str:
    """Township name without its 街道/镇/乡 suffix (坞城街道 -> 坞城)."""
    for suffix in ("街道办事处", "街道", "镇", "乡"):
        if township_name.endswith(suffix) and len(township_name) > len(suffix):
            return township_name[: -len(suffix)]
    return township_name


def pick_unique(rng: np.random.Generator, used: set[str], make) -> str:
    """Call ``make(rng)`` until it returns a name not in ``used``; record it."""
    for _ in range(200):
        name = make(rng)
        if name not in used:
            used.add(name)
            return name
    base, n = make(rng), 2
    while f"{base}{n}" in used:
        n += 1
    used.add(f"{base}{n}")
    return f"{base}{n}"


def village_name(rng: np.random.Generator) -> str:
    return f"{VILLAGE_FIRST[rng.integers(len(VILLAGE_FIRST))]}{VILLAGE_SECOND[rng.integers(len(VILLAGE_SECOND))]}村"


# --- geometry ---------------------------------------------------------------------------
class Frame:
    """Affine lon/lat <-> local metres frame centred on a county."""

    def __init__(self, lon0: float, lat0: float):
        a, f = 6378137.0, 1 / 298.257223563
        e2 = f * (2 - f)
        s = math.sin(math.radians(lat0))
        m = a * (1 - e2) / (1 - e2 * s * s) ** 1.5  # meridional radius of curvature
        n = a / math.sqrt(1 - e2 * s * s)  # prime-vertical radius of curvature
        self.lon0, self.lat0 = lon0, lat0
        self.kx = n * math.cos(math.radians(lat0)) * math.pi / 180.0
        self.ky = m * math.pi / 180.0

    def to_xy(self, geom):
        return shapely.transform(geom, lambda c: np.column_stack(((c[:, 0] - self.lon0) * self.kx,
                                                                  (c[:, 1] - self.lat0) * self.ky)))

    def to_lonlat(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return np.column_stack((xy[:, 0] / self.kx + self.lon0, xy[:, 1] / self.ky + self.lat0))


class Sampler:
    """Rejection sampling of points inside a county region (local metres)."""

    BATCH = 48

    def __init__(self, rng: np.random.Generator, region):
        self.rng = rng
        self.region = region
        shapely.prepare(region)
        self.bounds = region.bounds

    def _candidates(self, center, r_min, r_max) -> np.ndarray:
        rng, k = self.rng, self.BATCH
        if center is None:
            x0, y0, x1, y1 = self.bounds
            pts = np.column_stack((rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)))
        else:
            r = np.sqrt(rng.uniform(r_min**2, r_max**2, k))  # uniform over the annulus
            t = rng.uniform(0.0, 2 * math.pi, k)
            pts = np.column_stack((center[0] + r * np.cos(t), center[1] + r * np.sin(t)))
        return pts[shapely.contains_xy(self.region, pts[:, 0], pts[:, 1])]

    def points(self, n, center=None, r_min=0.0, r_max=None, spacing=0.0, avoid=None) -> np.ndarray:
        """``n`` points in the region, ``r_min..r_max`` from ``center`` (or anywhere),
        at least ``spacing`` apart from each other and from the points in ``avoid``.

        Constraints are relaxed step by step (spacing shrinks, the annulus widens,
        finally the whole region is used) so that the call always succeeds.
        """
        out: list[np.ndarray] = []
        avoid = np.empty((0, 2)) if avoid is None or len(avoid) == 0 else np.asarray(avoid, dtype=float).reshape(-1, 2)
        if center is not None and r_max is None:
            r_max = r_min + 1000.0
        for attempt in range(40):
            for _ in range(6):
                for p in self._candidates(center, r_min, r_max):
                    taken = np.vstack([avoid, *out]) if out else avoid
                    if spacing <= 0 or len(taken) == 0 or np.min(np.hypot(*(taken - p).T)) >= spacing:
                        out.append(p)
                        if len(out) == n:
                            return np.array(out)
            spacing *= 0.8
            if center is not None:
                r_min *= 0.8
                r_max *= 1.25
                if attempt >= 25:
                    center = None  # give up on the neighbourhood: anywhere in the county
        raise RuntimeError("could not place points inside the county region")

    def near(self, p, r_min=30.0, r_max=300.0) -> np.ndarray:
        """One point close to ``p``."""
        return self.points(1, center=p, r_min=r_min, r_max=r_max)[0]


def main_part(geom):
    """Largest polygon of a (Multi)Polygon."""
    if geom.geom_type == "MultiPolygon":
        return max(geom.geoms, key=lambda g: g.area)
    return geom


def county_seat(region_xy) -> np.ndarray:
    """Point of the main polygon nearest its centroid, pushed >= 2 km inside if possible."""
    body = main_part(region_xy)
    core = body.buffer(-2000.0)
    if core.is_empty:
        core = body
    c = body.centroid
    if core.contains(c):
        return np.array([c.x, c.y])
    p = shapely.ops.nearest_points(core, c)[0]
    if not core.contains(p):  # a point on the edge of the core: take an interior one
        p = core.representative_point()
    return np.array([p.x, p.y])


# --- integer allocation -------------------------------------------------------------------
def allocate_int(total: int, weights, caps=None) -> np.ndarray:
    """Split integer ``total`` proportionally to ``weights`` with per-item integer caps.

    Returns ints that sum to ``total`` (or to ``sum(caps)`` if that is smaller).
    """
    w = np.asarray(weights, dtype=float)
    caps = np.full(len(w), np.inf) if caps is None else np.asarray(caps, dtype=float)
    total = int(min(total, caps.sum()))
    alloc = np.zeros(len(w))
    active = (w > 0) & (caps > 0)
    if not active.any():
        active = caps > 0
        w = np.ones(len(w))
    remaining = float(total)
    while remaining > 1e-9 and active.any():
        share = np.zeros(len(w))
        share[active] = remaining * w[active] / w[active].sum()
        over = active & (alloc + share > caps)
        if not over.any():
            alloc += share
            break
        remaining -= float((caps[over] - alloc[over]).sum())
        alloc[over] = caps[over]
        active &= ~over
    ints = np.floor(alloc + 1e-9).astype(np.int64)
    short = total - int(ints.sum())
    room = np.flatnonzero(ints < caps)
    order = room[np.argsort(-(alloc[room] - ints[room]), kind="stable")]
    ints[order[:short]] += 1
    return ints


def hover_counts(rng: np.random.Generator, mean: float, sd: float) -> list[int]:
    """Yearly counts for NEW_YEARS around ``mean``, with years above and below it."""
    while True:
        counts = [max(1, int(round(v))) for v in rng.normal(mean, sd, len(NEW_YEARS))]
        if max(counts) > mean and min(counts) < mean:
            return counts


def ramp_years(rng: np.random.Generator, n: int, lo: int = YEAR_MIN, hi: int = 2020) -> np.ndarray:
    """Opening years in lo..hi, more recent years more likely."""
    years = np.arange(lo, hi + 1)
    p = np.linspace(1.0, 3.0, len(years))
    return rng.choice(years, size=n, p=p / p.sum())


# --- records ---------------------------------------------------------------------------------
@dataclass
class Place:
    """A residential point (community or village) in local metres."""

    name: str
    kind: str  # 社区 / 村
    urban: bool
    xy: np.ndarray
    pop: float = 0.0
    share35: float = 0.0
    share60: float = 0.0


@dataclass
class Township:
    code: str
    name: str
    kind: str  # 街道 / 镇 / 乡
    center: np.ndarray
    is_seat: bool = False
    places: list[Place] = field(default_factory=list)

    def communities(self) -> list[Place]:
        return [p for p in self.places if p.kind == "社区"]

    def villages(self) -> list[Place]:
        return [p for p in self.places if p.kind == "村"]


@dataclass
class Row:
    """One facility row before numbers and years are final."""

    file: str
    township: Township
    host: Place
    xy: np.ndarray
    values: dict


class County:
    """All generated content of one county."""

    def __init__(self, rng, row, townships, frame: Frame):
        self.rng = rng
        self.code = row.adcode
        self.name = row.name
        self.city = row.city_name
        self.frame = frame
        geom_xy = frame.to_xy(row.geometry)
        # keep MARGIN_M from the boundary; a 20 m simplification stays well inside that
        region = geom_xy.buffer(-MARGIN_M).simplify(20.0)
        if region.is_empty:
            raise ValueError(f"county {self.code} is too small for a {MARGIN_M} m margin")
        self.sampler = Sampler(rng, region)
        self.seat = county_seat(geom_xy.buffer(-MARGIN_M))
        self.area_km2 = region.area / 1e6
        self.townships = self._place_townships(townships)
        self.rows: list[Row] = []

    # ---- geography ----
    def _place_townships(self, townships) -> list[Township]:
        s = self.sampler
        subs = [t for t in townships if t.kind == "街道"]
        rural = [t for t in townships if t.kind != "街道"]
        out: list[Township] = []
        if subs:
            centres = s.points(len(subs), center=self.seat, r_min=2000.0, r_max=6000.0, spacing=1500.0)
            centres[0] = s.near(self.seat, 0.0, 1500.0)  # the first 街道 sits at the seat
            out += [Township(t.code, t.name, "街道", c, is_seat=(i == 0)) for i, (t, c) in enumerate(zip(subs, centres))]
        if rural:
            spacing = 0.6 * math.sqrt(self.area_km2 * 1e6 / (len(rural) + 1))
            avoid = [self.seat] + [t.center for t in out]
            seat_town = not subs and rural[0].kind == "镇"
            free = rural[1:] if seat_town else rural
            centres = s.points(len(free), spacing=spacing, avoid=avoid) if free else np.empty((0, 2))
            if seat_town:
                out.append(Township(rural[0].code, rural[0].name, "镇", self.seat.copy(), is_seat=True))
            out += [Township(t.code, t.name, "镇" if t.kind == "镇" else "乡", c) for t, c in zip(free, centres)]
        self.village_radius = 0.55 * math.sqrt(self.area_km2 * 1e6 / max(1, len(rural)))
        return out

    def build_places(self) -> None:
        rng, s = self.rng, self.sampler
        for t in self.townships:
            used: set[str] = set()
            st = stem(t.name)
            words = rng.permutation(COMMUNITY_WORDS)
            if t.kind == "街道":
                n_comm, n_vil = int(rng.integers(8, 16)), 0
            elif t.kind == "镇":
                n_comm = int(rng.integers(3, 7)) if t.is_seat else int(rng.integers(1, 4))
                n_vil = int(rng.integers(6, 12)) if t.is_seat else int(rng.integers(7, 13))
            else:
                n_comm, n_vil = 0, int(rng.integers(8, 14))
            if n_comm:
                r_max = 1800.0 if t.kind == "街道" or t.is_seat else 800.0
                pts = s.points(n_comm, center=t.center, r_min=0.0, r_max=r_max, spacing=300.0)
                for i, p in enumerate(pts):
                    name = f"{st}{words[i]}社区" if i < len(words) else f"{st}第{cn_number(i + 1)}社区"
                    used.add(name)
                    t.places.append(Place(name, "社区", True, p))
            if n_vil:
                pts = s.points(
                    n_vil,
                    center=t.center,
                    r_min=900.0 if n_comm else 0.0,
                    r_max=max(2500.0, self.village_radius),
                    spacing=600.0,
                )
                for p in pts:
                    t.places.append(Place(pick_unique(rng, used, village_name), "村", False, p))

    def draw_people(self) -> None:
        """Raw populations and age shares (scaled to the province total later)."""
        rng = self.rng
        for t in self.townships:
            for p in t.places:
                if p.kind == "村":
                    p.pop = float(np.clip(rng.lognormal(math.log(1250), 0.5), 200, 2500))
                    p.share35 = float(np.clip(rng.normal(0.028, 0.005), 0.012, 0.05))
                    p.share60 = float(np.clip(rng.normal(0.245, 0.04), 0.12, 0.40))
                else:
                    median, hi = (6500, 15000) if t.kind == "街道" else (3800, 9000)
                    p.pop = float(np.clip(rng.lognormal(math.log(median), 0.45), 2000, hi))
                    p.share35 = float(np.clip(rng.normal(0.031, 0.005), 0.015, 0.05))
                    p.share60 = float(np.clip(rng.normal(0.18, 0.03), 0.09, 0.32))

    # ---- facilities ----
    def add(self, file: str, t: Township, host: Place, r_max: float = 300.0, **values) -> Row:
        row = Row(file, t, host, self.sampler.near(host.xy, 30.0, r_max), values)
        self.rows.append(row)
        return row

    def seat_host(self) -> tuple[Township, Place]:
        """The seat township and its first community (or first place)."""
        seat = next((t for t in self.townships if t.is_seat), self.townships[0])
        comms = seat.communities()
        return seat, comms[0] if comms else seat.places[0]

    def add_private_kg(self, t: Township, host: Place, inclusive: bool, brands: list[str]) -> None:
        """A private kindergarten at ``host``, named after township ``t`` and the next of its ``brands``."""
        self.add(KINDERGARTENS, t, host, 性质="民办", 普惠="是" if inclusive else "否", 中心园="否",
                 name=f"{stem(t.name)}{brands.pop()}幼儿园")

    def build_kindergartens(self, gap_codes: set[str]) -> None:
        rng = self.rng
        n_public_sub = 0
        for t in self.townships:
            brands = list(rng.permutation(PRIVATE_KG_WORDS))
            comms, vils = t.communities(), t.villages()
            anchor = comms[0] if comms else min(vils, key=lambda p: float(np.hypot(*(p.xy - t.center))))

            if t.kind == "街道":
                for _ in range(int(rng.integers(2, 6))):
                    n_public_sub += 1
                    host = comms[rng.integers(len(comms))]
                    self.add(KINDERGARTENS, t, host, 性质="公办", 普惠="是", 中心园="否",
                             name=f"{self.name}第{cn_number(n_public_sub)}幼儿园")
                n_priv = int(rng.integers(2, 6))
                for i in range(n_priv):
                    self.add_private_kg(t, comms[rng.integers(len(comms))], (i % 2 == 0) if i < 2 else bool(rng.random() < 0.5),
                                        brands)
                continue
            if t.code in gap_codes:  # no public kindergarten: maybe a private one
                if rng.random() < 0.5:
                    self.add_private_kg(t, anchor, bool(rng.random() < 0.5), brands)
                continue
            self.add(KINDERGARTENS, t, anchor, r_max=250.0, 性质="公办", 普惠="是", 中心园="是", name=f"{t.name}中心幼儿园")
            extra_pub = int(rng.integers(0, 3 if t.kind == "镇" else 2))
            for host in rng.permutation(len(vils))[:extra_pub]:
                self.add(KINDERGARTENS, t, vils[host], 性质="公办", 普惠="是", 中心园="否", name=f"{vils[host].name}幼儿园")
            n_priv = int(rng.integers(0, 3 if t.kind == "镇" else 2)) + (2 if t.is_seat else 0)
            for i in range(n_priv):
                host = comms[rng.integers(len(comms))] if comms else anchor
                self.add_private_kg(t, host, (i % 2 == 0) if t.is_seat and i < 2 else bool(rng.random() < 0.5), brands)

    def build_elderly(self) -> None:
        rng = self.rng
        seat, host = self.seat_host()
        self.add(ELDERLY, seat, host, 类型="养老机构", beds=int(rng.integers(150, 401)), name=f"{self.name}社会福利中心")
        towns = [t for t in self.townships if t.kind != "街道"]
        subs = [t for t in self.townships if t.kind == "街道"]
        for _ in range(int(rng.integers(1, 6))):
            if towns and (not subs or rng.random() < 0.6):
                t = towns[rng.integers(len(towns))]
                name = f"{t.name}敬老院"
            else:
                t = (subs or [seat])[rng.integers(len(subs or [seat]))]
                name = f"{stem(t.name)}{CARE_WORDS[rng.integers(len(CARE_WORDS))]}养老院"
            if any(r.values.get("name") == name for r in self.rows):
                continue
            self.add(ELDERLY, t, t.places[rng.integers(len(t.places))], 类型="养老机构", beds=int(rng.integers(50, 301)), name=name)
        for t in self.townships:
            for p in t.communities():
                if rng.random() < 0.42:
                    self.add(ELDERLY, t, p, r_max=150.0, 类型="社区养老服务站", beds=int(rng.integers(10, 41)),
                             name=f"{p.name}养老服务站")
            for p in t.villages():
                if rng.random() < 0.4:
                    self.add(ELDERLY, t, p, r_max=150.0, 类型="农村互助幸福院", beds=int(rng.integers(0, 21)),
                             name=f"{p.name}互助幸福院")

    def build_fitness(self) -> None:
        rng = self.rng
        seat, seat_host = self.seat_host()
        self.add(FITNESS, seat, seat_host, r_max=1200.0, 类型="体育场馆", name=f"{self.name}体育馆")
        if rng.random() < 0.5:
            self.add(FITNESS, seat, seat_host, r_max=1500.0, 类型="体育场馆", name=f"{self.name}体育场")
        parks = list(rng.permutation(PARK_WORDS))
        for _ in range(int(rng.integers(0, 3))):
            self.add(FITNESS, seat, seat_host, r_max=2500.0, 类型="体育公园", name=f"{self.name}{parks.pop()}体育公园")
        for t in self.townships:
            st = stem(t.name)
            comms = t.communities()
            if comms:
                # only some communities get a facility nearby: the rest may stay uncovered
                hosts = rng.permutation(len(comms))[: max(1, int(round(len(comms) * rng.uniform(0.15, 0.4))))]
                for i, h in enumerate(hosts):
                    p = comms[h]
                    if i == 0 and (t.kind == "街道" or t.is_seat or rng.random() < 0.3):
                        self.add(FITNESS, t, p, 类型="社区全民健身中心", name=f"{p.name}全民健身中心")
                    else:
                        self.add(FITNESS, t, p, 类型="全民健身路径", name=f"{p.name}全民健身路径")
                if t.kind == "街道" and rng.random() < 0.35:
                    word = TRAIL_WORDS[rng.integers(len(TRAIL_WORDS))]
                    self.add(FITNESS, t, comms[rng.integers(len(comms))], r_max=800.0, 类型="健身步道", name=f"{st}{word}健身步道")
            for p in t.villages():
                if rng.random() < 0.3:
                    self.add(FITNESS, t, p, r_max=200.0, 类型="全民健身路径", name=f"{p.name}全民健身路径")

    # ---- numbers that need the whole county ----
    def pop35(self) -> dict[str, float]:
        return {t.code: sum(p.pop * p.share35 for p in t.places) for t in self.townships}

    def finish_kindergartens(self) -> dict:
        rng = self.rng
        kgs = [r for r in self.rows if r.file == KINDERGARTENS]
        demand = {t.code: sum(round(p.pop * p.share35) for p in t.places) for t in self.townships}
        ratio = float(np.clip(rng.normal(0.91, 0.045), 0.80, 1.00))
        inclusive_share = float(np.clip(rng.normal(0.80, 0.055), 0.70, 0.92))
        total = int(round(ratio * sum(demand.values())))
        per_town = {}
        for r in kgs:
            per_town[r.township.code] = per_town.get(r.township.code, 0) + 1
        weights = np.array(
            [
                demand[r.township.code] / per_town[r.township.code] * (1.6 if r.values["中心园"] == "是" else 1.0)
                * rng.lognormal(0, 0.3)
                for r in kgs
            ]
        )
        inclusive = np.array([r.values["普惠"] == "是" for r in kgs])
        enrolled = np.zeros(len(kgs), dtype=np.int64)
        if inclusive.all() or not inclusive.any():
            enrolled[:] = allocate_int(total, weights)
        else:
            n_other = int(round((1 - inclusive_share) * total))
            enrolled[inclusive] = allocate_int(total - n_other, weights[inclusive])
            enrolled[~inclusive] = allocate_int(n_other, weights[~inclusive])
        for r, e in zip(kgs, enrolled):
            over = rng.random() < 0.07  # a few kindergartens are over capacity
            factor = rng.uniform(0.88, 0.99) if over else rng.uniform(1.02, 1.35)
            places = max(30, int(round(e * factor)))
            if not over:
                places = max(places, int(e))
            r.values.update(学位数=places, 在园幼儿数=int(e))
            central = r.values["中心园"] == "是"
            r.values["year"] = int(ramp_years(rng, 1, YEAR_MIN, YEAR_MAX)[0]) if not central else int(rng.integers(YEAR_MIN, 2016))
        return {"ratio": ratio, "inclusive": inclusive_share}

    def finish_elderly(self) -> None:
        rng = self.rng
        care = [r for r in self.rows if r.file == ELDERLY]
        beds = np.array([r.values["beds"] for r in care])
        share = float(np.clip(rng.normal(0.45, 0.10), 0.15, 0.80))
        kind_w = {"养老机构": 1.0, "社区养老服务站": 0.45, "农村互助幸福院": 0.08}
        weights = np.array([r.values["beds"] * kind_w[r.values["类型"]] * rng.uniform(0.7, 1.3) for r in care])
        nursing = allocate_int(int(round(share * beds.sum())), weights, caps=beds)
        for r, n in zip(care, nursing):
            r.values["nursing"] = int(n)
            if r.values["类型"] != "社区养老服务站":
                r.values["year"] = int(ramp_years(rng, 1, YEAR_MIN, YEAR_MAX)[0])

    def finish_fitness(self) -> None:
        for r in self.rows:
            if r.file == FITNESS and r.values["类型"] != "社区全民健身中心":
                r.values["year"] = int(ramp_years(self.rng, 1, YEAR_MIN, YEAR_MAX)[0])


# --- the later kinds: hospitals, primary care, special education, culture, child welfare -----------
def put(c: County, s: Sampler, file: str, t: Township, host: Place, r_max: float = 300.0, **values) -> Row:
    """A row of ``file`` near ``host``, placed with sampler ``s``; ``values`` are keyed by the file's headers."""
    row = Row(file, t, host, s.near(host.xy, 30.0, r_max), values)
    c.rows.append(row)
    return row


def anchor(t: Township) -> Place:
    """The township's central place: its first community, else the village nearest its centre."""
    comms = t.communities()
    return comms[0] if comms else min(t.villages(), key=lambda p: float(np.hypot(*(p.xy - t.center))))


def year(rng: np.random.Generator, lo: int, hi: int) -> int:
    """An opening year in lo..hi, recent years more likely."""
    return int(ramp_years(rng, 1, lo, hi)[0])


def share_of(share: float, n: int) -> int:
    """``share`` of ``n`` items, rounded."""
    return int(round(share * n))


def pick(rng: np.random.Generator, codes, n: int, p=None) -> set[str]:
    """``n`` distinct codes drawn from sorted ``codes`` (weighted by ``p``, aligned with the sorted codes)."""
    codes = sorted(codes)
    if p is not None:
        p = np.asarray(p, dtype=float) / np.sum(p)
    return set(rng.choice(codes, size=n, replace=False, p=p).tolist()) if n else set()


def samplers(rng: np.random.Generator, counties: list[County]) -> dict[str, Sampler]:
    """A sampler per county over the county's region, drawing from ``rng``."""
    return {c.code: Sampler(rng, c.sampler.region) for c in counties}


def build_hospitals(rng: np.random.Generator, counties: list[County]) -> None:
    """2-5 hospitals per county: 三级 in the city seats (none in NO_TERTIARY), a 二级 county hospital in ~90 %."""
    smp = samplers(rng, counties)
    by_code = {c.code: c for c in counties}
    tertiary: dict[str, list[tuple[str, str]]] = {c.code: [] for c in counties}
    # the first at the city seat, the others over the other districts, at most two per district
    others = [d for d in TAIYUAN_URBAN if d != CITY_SEATS[TAIYUAN]]
    slots = [CITY_SEATS[TAIYUAN], *rng.permutation(np.repeat(others, 2)).tolist()]
    for code, entry in zip(slots, TAIYUAN_TERTIARY):
        tertiary[code].append(entry)
    for city, seat in CITY_SEATS.items():
        if city != TAIYUAN and city not in NO_TERTIARY:
            tertiary[seat].append((f"{by_code[seat].city}第一人民医院", "市级"))
    # counties without a 二级 hospital: never a city seat nor a 三级 host
    cands = [c.code for c in counties if not tertiary[c.code] and c.code not in CITY_SEATS.values()]
    gaps = pick(rng, cands, share_of(0.10, len(counties)))

    def hospital(c, t, host, r_max, name, level, tier, lo, hi):
        beds = int(rng.integers(BEDS_BY_LEVEL[level][0], BEDS_BY_LEVEL[level][1] + 1))
        return put(c, smp[c.code], HOSPITALS, t, host, r_max, 名称=name, 等级=level, 隶属=tier, 床位数=beds,
                   公共卫生应急基地="否", 建成年份=year(rng, lo, hi))

    first: dict[str, Row] = {}  # city code -> its leading hospital at the city seat
    for c in counties:
        seat, host = c.seat_host()
        rows = [hospital(c, seat, host, 3000.0, name, "三级", tier, 1950, 2000) for name, tier in tertiary[c.code]]
        gap = c.code in gaps
        rows.append(hospital(c, seat, host, 1200.0, f"{c.name}人民医院", "一级" if gap else "二级", "县级", 1950, 1990))
        total = max(len(rows), int(rng.integers(2, 6)))
        if len(rows) < total:
            level = "二级" if not gap and rng.random() < 0.6 else "一级"
            rows.append(hospital(c, seat, host, 2000.0, f"{c.name}中医医院", level, "县级", 1960, 2005))
        words = list(rng.permutation(HOSPITAL_WORDS))
        towns = [t for t in c.townships if t.kind == "镇" and not t.is_seat]
        while len(rows) < total:
            level = "未定级" if rng.random() < 0.05 else "一级"
            if towns and rng.random() < 0.5:
                t = towns[rng.integers(len(towns))]
                rows.append(hospital(c, t, anchor(t), 600.0, f"{t.name}中心医院", level, "县级", 1985, 2025))
                towns.remove(t)
            else:
                rows.append(hospital(c, seat, host, 2500.0, f"{c.name}{words.pop()}", level, "县级", 1985, 2025))
        city = c.code[:4] + "00"
        if CITY_SEATS.get(city) == c.code:
            first[city] = rows[0]
    for city in sorted(set(first) - pick(rng, first, 2)):  # 9 of the 11 cities
        first[city].values["公共卫生应急基地"] = "是"


def build_primary_care(rng: np.random.Generator, counties: list[County]) -> None:
    """乡镇卫生院 in ~95 % of 乡/镇, 村卫生室 per 1-3 villages, 社区卫生服务中心 in ~90 % of 街道, some 服务站."""
    smp = samplers(rng, counties)
    towns = [t for c in counties for t in c.townships if t.kind != "街道"]
    subs = [t.code for c in counties for t in c.townships if t.kind == "街道"]
    no_centre = pick(rng, [t.code for t in towns if not t.is_seat], share_of(0.05, len(towns)))
    no_centre |= pick(rng, subs, share_of(0.10, len(subs)))
    for c in counties:
        s = smp[c.code]
        for t in c.townships:
            comms, vils = t.communities(), t.villages()
            if t.code not in no_centre:
                if t.kind == "街道":
                    put(c, s, PRIMARY_CARE, t, anchor(t), 600.0, 名称=f"{t.name}社区卫生服务中心", 类型="社区卫生服务中心",
                        床位数=int(rng.integers(0, 41)), 建成年份=year(rng, 2000, 2025))
                else:
                    put(c, s, PRIMARY_CARE, t, anchor(t), 250.0, 名称=f"{t.name}卫生院", 类型="乡镇卫生院",
                        床位数=int(rng.integers(10, 100)), 建成年份=year(rng, 1995, 2025))
            if comms:  # a station per few communities
                n = int(round(len(comms) / rng.uniform(3.0, 5.0)))
                for h in rng.permutation(len(comms))[:n]:
                    put(c, s, PRIMARY_CARE, t, comms[h], 200.0, 名称=f"{comms[h].name}卫生服务站", 类型="社区卫生服务站",
                        床位数=0, 建成年份=year(rng, 2005, 2025))
            order, i = rng.permutation(len(vils)), 0
            while i < len(vils):  # one clinic per cluster of 1-3 villages
                p = vils[order[i]]
                put(c, s, PRIMARY_CARE, t, p, 150.0, 名称=f"{p.name}卫生室", 类型="村卫生室", 床位数=0,
                    建成年份=year(rng, 1995, 2025))
                i += int(rng.integers(1, 4))


def build_special_education(rng: np.random.Generator, counties: list[County]) -> None:
    """A 特殊教育学校 at ~85 % of county seats (populous counties first), 寄宿制学校 in some rural townships."""
    smp = samplers(rng, counties)
    pop = {c.code: sum(p.pop for t in c.townships for p in t.places) for c in counties}
    codes = sorted(pop)
    with_school = pick(rng, codes, share_of(0.85, len(codes)), p=[pop[k] for k in codes])
    for c in counties:
        s = smp[c.code]
        if c.code in with_school:
            seat, host = c.seat_host()
            places = int(np.clip(round(pop[c.code] / 2500 * rng.lognormal(0, 0.25) / 10) * 10, 50, 300))
            pupils = max(1, int(round(places * rng.uniform(0.55, 1.05))))
            put(c, s, SPECIAL_EDUCATION, seat, host, 2500.0, 名称=f"{c.name}特殊教育学校", 类型="特殊教育学校",
                学位数=places, 在校生数=pupils, 建成年份=year(rng, 1985, 2025))
        for t in c.townships:
            if t.kind != "街道" and not t.is_seat and rng.random() < 0.08:
                places = int(rng.integers(20, 91)) * 10
                pupils = int(round(places * rng.uniform(0.6, 1.0)))
                put(c, s, SPECIAL_EDUCATION, t, anchor(t), 600.0, 名称=f"{t.name}寄宿制学校", 类型="寄宿制学校",
                    学位数=places, 在校生数=pupils, 建成年份=year(rng, 1995, 2025))


def build_culture(rng: np.random.Generator, counties: list[County]) -> None:
    """County 图书馆 and 文化馆 (~90 % each), 综合文化站 in ~90 % of townships, 博物馆 in the city seats."""
    smp = samplers(rng, counties)
    codes = [c.code for c in counties]
    no_library, no_centre = pick(rng, codes, share_of(0.10, len(codes))), pick(rng, codes, share_of(0.10, len(codes)))
    towns = [t.code for c in counties for t in c.townships]
    no_station = pick(rng, towns, share_of(0.10, len(towns)))

    def venue(c, t, host, r_max, name, kind, level, lo):
        put(c, smp[c.code], CULTURE, t, host, r_max, 名称=name, 类型=kind, 级别=level,
            免费开放="否" if rng.random() < 0.05 else "是", 建成年份=year(rng, lo, 2025))

    for c in counties:
        seat, host = c.seat_host()
        if c.code not in no_library:
            venue(c, seat, host, 1500.0, f"{c.name}图书馆", "图书馆", "县级", 1980)
        if c.code not in no_centre:
            venue(c, seat, host, 1500.0, f"{c.name}文化馆", "文化馆", "县级", 1980)
        if c.code in CITY_SEATS.values():
            venue(c, seat, host, 2500.0, f"{c.city}博物馆", "博物馆", "市级", 1980)
            if c.code == CITY_SEATS[TAIYUAN]:
                venue(c, seat, host, 2500.0, "山西省博物馆", "博物馆", "省级", 1980)
        for t in c.townships:
            if t.code not in no_station:
                venue(c, t, anchor(t), 400.0, f"{t.name}综合文化站", "综合文化站", "乡镇级", 2000)


def build_child_welfare(rng: np.random.Generator, counties: list[County]) -> None:
    """A 市级 儿童福利院 in 10 of the 11 city seats, 县级 ones in ~30 % of the counties."""
    smp = samplers(rng, counties)
    city_homes = {CITY_SEATS[k] for k in set(CITY_SEATS) - pick(rng, CITY_SEATS, 1)}
    cands = [c.code for c in counties if c.code not in CITY_SEATS.values()]
    county_homes = pick(rng, cands, share_of(0.30, len(counties)))
    for c in counties:
        seat, host = c.seat_host()
        if c.code in city_homes:
            put(c, smp[c.code], CHILD_WELFARE, seat, host, 2500.0, 名称=f"{c.city}儿童福利院", 级别="市级",
                床位数=int(rng.integers(100, 401)), 建成年份=year(rng, 1980, 2025))
        if c.code in county_homes:
            put(c, smp[c.code], CHILD_WELFARE, seat, host, 2500.0, 名称=f"{c.name}儿童福利院", 级别="县级",
                床位数=int(rng.integers(20, 121)), 建成年份=year(rng, 1990, 2025))


def build_later_kinds(counties: list[County], seed: int) -> None:
    """Add the rows of the later files, each from its own stream ``default_rng([seed, STREAMS[file]])``.

    Runs after everything else and never touches the main stream, so the first four files do not change.
    """
    missing = (set(CITY_SEATS.values()) | set(TAIYUAN_URBAN)) - {c.code for c in counties}
    if missing:
        raise ValueError(f"city seat counties missing from the boundaries: {sorted(missing)}")
    builders = {
        HOSPITALS: build_hospitals, PRIMARY_CARE: build_primary_care, SPECIAL_EDUCATION: build_special_education,
        CULTURE: build_culture, CHILD_WELFARE: build_child_welfare,
    }
    for file, build in builders.items():
        build(np.random.default_rng([seed, STREAMS[file]]), counties)


# --- assembly -----------------------------------------------------------------------------------
def scale_population(counties: list[County]) -> None:
    """Scale raw populations so the province totals about PROVINCE_POPULATION."""
    places = [p for c in counties for t in c.townships for p in t.places]
    pops = np.array([p.pop for p in places])
    lo = np.array([200 if p.kind == "村" else 2000 for p in places], dtype=float)
    hi = np.array([2500 if p.kind == "村" else 15000 for p in places], dtype=float)
    for _ in range(8):
        pops = np.clip(pops * PROVINCE_POPULATION / pops.sum(), lo, hi)
    for p, v in zip(places, np.round(pops)):
        p.pop = float(v)


def assign_new_years(rng, rows: list[Row], kind: str, mean: float, sd: float) -> list[int]:
    """Opening years for all rows of ``kind``: per-year counts for 2021-2025 around ``mean``."""
    chosen = [r for r in rows if r.values.get("类型") == kind]
    counts = hover_counts(rng, mean, sd)
    if sum(counts) > len(chosen):
        raise ValueError(f"too few {kind} rows ({len(chosen)}) for {sum(counts)} new ones")
    order = rng.permutation(len(chosen))
    years = np.repeat(NEW_YEARS, counts)
    old = ramp_years(rng, len(chosen) - len(years), 2005, 2020)
    for i, idx in enumerate(order):
        chosen[idx].values["year"] = int(years[i]) if i < len(years) else int(old[i - len(years)])
    return counts


def address(c: County, t: Township, host: Place) -> str:
    return f"山西省{c.city}{c.name}{t.name}{host.name}"


def lonlat(c: County, xy) -> tuple[str, str]:
    lon, lat = c.frame.to_lonlat(xy)[0]
    return f"{lon:.6f}", f"{lat:.6f}"


def table_rows(counties: list[County]) -> dict[str, list[list]]:
    tables: dict[str, list[list]] = {name: [] for name in HEADERS}
    seq = {name: 0 for name in HEADERS}

    def emit(file, c, t, host, xy, middle):
        seq[file] += 1
        tables[file].append([f"{ID_PREFIX[file]}{seq[file]:06d}", *middle, t.code, t.name, address(c, t, host), *lonlat(c, xy),
                             SOURCE])

    for c in counties:
        for t in c.townships:
            for p in t.places:
                p35, p60 = round(p.pop * p.share35), round(p.pop * p.share60)
                emit(RESIDENTIAL, c, t, p, p.xy, [p.name, p.kind, "城镇" if p.urban else "农村", int(p.pop), p35, p60])
        for r in c.rows:
            v = r.values
            if r.file == KINDERGARTENS:
                middle = [v["name"], v["性质"], v["普惠"], v["中心园"], v["学位数"], v["在园幼儿数"], v["year"]]
            elif r.file == ELDERLY:
                middle = [v["name"], v["类型"], v["beds"], v["nursing"], v["year"]]
            elif r.file == FITNESS:
                middle = [v["name"], v["类型"], v["year"]]
            else:  # the later kinds keep their values under the file's own headers
                middle = [v[h] for h in HEADERS[r.file][1:-len(TAIL)]]
            emit(r.file, c, r.township, r.host, r.xy, middle)
    return tables


def generate(seed: int = DEFAULT_SEED) -> tuple[dict[str, list[list]], dict]:
    """Build all tables; returns (tables, summary)."""
    rng = np.random.default_rng(seed)
    counties_gdf = load_counties().sort_values("adcode").reset_index(drop=True)
    towns = load_townships().sort_values("code").reset_index(drop=True)
    by_county = {code: list(g.itertuples(index=False)) for code, g in towns.groupby("county_code", sort=True)}
    counties: list[County] = []
    for row in counties_gdf.itertuples(index=False):
        b = row.geometry.bounds
        frame = Frame((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
        if row.adcode not in by_county:
            raise ValueError(f"county {row.adcode} has no townships in load_townships()")
        c = County(rng, row, by_county[row.adcode], frame)
        c.build_places()
        c.draw_people()
        counties.append(c)
    scale_population(counties)

    # ~10 % of 乡/镇 (never a seat town) get no public kindergarten
    candidates = sorted(t.code for c in counties for t in c.townships if t.kind != "街道" and not t.is_seat)
    n_rural = sum(1 for c in counties for t in c.townships if t.kind != "街道")
    gap_codes = set(rng.choice(candidates, size=int(round(0.10 * n_rural)), replace=False).tolist())

    targets = {}
    for c in counties:
        c.build_kindergartens(gap_codes)
        c.build_elderly()
        c.build_fitness()
        targets[c.code] = c.finish_kindergartens()
        c.finish_elderly()
        c.finish_fitness()
    all_rows = [r for c in counties for r in c.rows]
    new_centres = assign_new_years(rng, all_rows, "社区全民健身中心", 20, 4)
    new_stations = assign_new_years(rng, all_rows, "社区养老服务站", 30, 5)
    summary = {"new_fitness_centres": dict(zip(NEW_YEARS, new_centres)), "new_care_stations": dict(zip(NEW_YEARS, new_stations))}
    build_later_kinds(counties, seed)
    return table_rows(counties), summary


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_all(out: Path, seed: int) -> dict:
    tables, summary = generate(seed)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, header in HEADERS.items():
        write_csv(out / name, header, tables[name])
        col = header.index(COUNTED[name])
        counts = {}
        for row in tables[name]:
            counts[str(row[col])] = counts.get(str(row[col]), 0) + 1
        files[name] = {"rows": len(tables[name]), "sha256": sha256(out / name), "counts": dict(sorted(counts.items()))}
    manifest = {
        "synthetic": True,
        "statement": STATEMENT,
        "source_value": SOURCE,
        "seed": seed,
        "generator": GENERATOR,
        "command": f"python {GENERATOR} --seed {seed}",
        "inputs": {p: sha256(REPO / p) for p in INPUT_FILES if (REPO / p).exists()},
        "files": files,
        "new_per_year": {k: {str(y): n for y, n in v.items()} for k, v in summary.items()},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default data/facilities)")
    args = ap.parse_args(argv)
    manifest = write_all(args.out, args.seed)
    for name, info in manifest["files"].items():
        print(f"{name}: {info['rows']} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
