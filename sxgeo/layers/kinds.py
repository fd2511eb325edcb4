"""Layer kinds: the columns each kind of layer has, their types and header aliases.

Every user or demo file is read into one of these kinds by :mod:`sxgeo.io`.
Canonical column names are English snake case; each column lists the header
spellings planners actually use (Chinese first) so that a spreadsheet exported
from an office system loads without renaming anything.

Value vocabularies (for example 公办/民办) are part of the schema too: each
categorical column maps every accepted spelling to one canonical code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from sxgeo.text import t

__all__ = ["Column", "LayerKind", "KINDS", "get_kind", "normalise_header"]

DType = Literal["str", "int", "float", "bool", "year", "category"]

_TRUE = ("是", "有", "y", "yes", "true", "1", "√", "✓", "t")
_FALSE = ("否", "无", "n", "no", "false", "0", "×", "f")
#: Spellings of 'other' accepted by every category column with a fallback.
_OTHER = ("其他", "其它", "other")


@dataclass(frozen=True)
class Column:
    """One column of a layer kind.

    Parameters
    ----------
    name
        Canonical (English) column name.
    dtype
        How values are parsed: ``str``, ``int`` (non-negative integer count),
        ``float``, ``bool`` (是/否 …), ``year`` (1900–2100) or ``category``.
    label_zh, label_en
        The column's canonical headers in planners' files (accepted on input;
        ``label_zh`` names the column in messages).  Tables, exports and
        popups take their headers from the text catalogue (``col.<name>``).
    aliases
        Other header spellings accepted on input (compared after
        :func:`normalise_header`).
    required
        A file without this column cannot be loaded as this kind.
    values
        For ``category``: canonical code -> accepted spellings.
    fallback
        For ``category``: the code an unrecognised value is loaded as (with a
        note naming the value), or None to reject such rows.
    default
        For ``category``: the code of an empty value or a missing column (with
        a note or a warning); such a column is never required.
    warn_fallback
        For ``category``: rows loaded as the fallback are also counted in a
        warning of the load (not only a row note), for values a planner must
        fix (an unknown hospital level).
    """

    name: str
    dtype: DType
    label_zh: str
    label_en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fallback: str | None = None
    default: str | None = None
    warn_fallback: bool = False

    def spellings(self) -> tuple[str, ...]:
        """Every accepted header spelling, normalised."""
        names = (self.name, self.label_zh, self.label_en, *self.aliases)
        return tuple(dict.fromkeys(normalise_header(n) for n in names))

    def category_lookup(self) -> dict[str, str]:
        """Accepted value spelling (normalised) -> canonical code."""
        lookup = {}
        if self.fallback is not None:
            lookup.update({normalise_value(s): self.fallback for s in (self.fallback, *_OTHER)})
        for code, spellings in self.values.items():
            for s in (code, *spellings):
                lookup[normalise_value(s)] = code
        return lookup


@dataclass(frozen=True)
class LayerKind:
    """A kind of layer: its name and columns; its label is ``kind.<name>`` in the text catalogue."""

    name: str
    columns: tuple[Column, ...]
    has_points: bool = True

    def column(self, name: str) -> Column:
        """The column called ``name``; KeyError if the kind has none."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the columns every file of this kind must have."""
        return tuple(c.name for c in self.columns if c.required)

    def label(self, lang: str = "zh") -> str:
        """The kind's name for people, in ``lang``."""
        return t(f"kind.{self.name}", lang)


_FULLWIDTH = str.maketrans("（）：，　", "():, ")


def normalise_header(text: str) -> str:
    """Normalise a header for matching: case, width, spaces and units in brackets.

    ``" 床位数（张）"`` and ``"床位数"`` both become ``"床位数"``;
    ``"Opening Year"`` becomes ``"opening_year"``.
    """
    s = str(text).replace("\ufeff", "").translate(_FULLWIDTH).strip().lower()
    s = re.sub(r"\((?:个|张|人|名|座|所|处|年|m|米|㎡|平方米|度)\)$", "", s).strip()
    s = re.sub(r"[\s\-]+", "_", s)
    return s


def normalise_value(text: str) -> str:
    """Normalise a categorical value for matching."""
    return str(text).translate(_FULLWIDTH).strip().lower().replace(" ", "_")


# --- columns shared by all point layers -------------------------------------------------

_ID = Column("id", "str", "编号", "ID", ("序号", "代码", "机构编号", "设施编号", "fid", "code", "identifier"))
_NAME = Column(
    "name", "str", "名称", "Name", ("机构名称", "设施名称", "园名", "幼儿园名称", "小区名称", "社区名称", "村名", "名字")
)
_ADDRESS = Column("address", "str", "地址", "Address", ("详细地址", "所在地址", "位置", "addr"))
# point.x/point.y: Baidu exports; location.lng/location.lat: Baidu and Tencent API results flattened.
_LON = Column("lon", "float", "经度", "Longitude", ("lng", "long", "x", "东经", "经度坐标", "point.x", "location.lng"))
_LAT = Column("lat", "float", "纬度", "Latitude", ("y", "北纬", "纬度坐标", "point.y", "location.lat"))
_CRS = Column("coord_system", "str", "坐标系", "Coordinate system", ("坐标系统", "crs", "datum"))
_TOWNSHIP_CODE = Column(
    "township_code", "str", "乡镇代码", "Township code", ("乡镇街道代码", "街道代码", "乡镇编码", "township_id")
)
_TOWNSHIP_NAME = Column(
    "township_name", "str", "乡镇名称", "Township", ("乡镇", "乡镇(街道)", "乡镇街道", "所属乡镇", "街道", "township")
)
_COUNTY_CODE = Column(
    "county_code", "str", "区县代码", "County code", ("县区代码", "县代码", "adcode", "county_adcode", "ad_info.adcode")
)
# Used to place a row without coordinates (the county's name, and its city for the two 城区).
_COUNTY_NAME = Column(
    "county_name", "str", "区县", "County",
    ("区县名称", "县区", "县区名称", "所属区县", "县(市、区)", "县(市区)", "adname", "district", "ad_info.district", "county"),
)
_CITY_NAME = Column("city_name", "str", "城市", "City", ("所属城市", "地市", "所属市", "cityname", "city", "ad_info.city"))
_YEAR = Column("opening_year", "year", "建成年份", "Opening year", ("开业年份", "建设年份", "投用年份", "年份", "year"))
_SOURCE = Column("source", "str", "数据来源", "Source", ("来源",))

_POINT_COMMON = (
    _ID, _NAME, _ADDRESS, _LON, _LAT, _CRS, _TOWNSHIP_CODE, _TOWNSHIP_NAME, _COUNTY_CODE, _COUNTY_NAME, _CITY_NAME
)
_FACILITY_TAIL = (_YEAR, _SOURCE)


def _req(col: Column) -> Column:
    return replace(col, required=True)


KINDERGARTENS = LayerKind(
    "kindergartens",
    (
        *_POINT_COMMON,
        _req(
            Column(
                "ownership",
                "category",
                "性质",
                "Ownership",
                ("办园性质", "公办民办", "举办者性质", "type"),
                values={
                    "public": (
                        "公办", "公立", "公办园", "公办幼儿园", "公立园", "公立幼儿园", "教育部门办", "教育部门办园",
                        "公办性质",
                    ),
                    "private": (
                        "民办", "私立", "民办园", "民办幼儿园", "私立园", "私立幼儿园", "民营", "私营", "民办普惠",
                        "普惠性民办", "民办性质",
                    ),
                    "unknown": ("性质未知", "未知", "不详", "不明", "unknown"),
                },
                fallback="other",
            )
        ),
        Column("inclusive", "bool", "普惠", "Inclusive", ("普惠性", "是否普惠", "普惠园", "inclusive_flag")),
        Column("central", "bool", "中心园", "Central kindergarten", ("是否中心园", "乡镇中心园", "central_flag")),
        Column("places", "int", "学位数", "Places", ("学位", "核定学位", "capacity")),
        Column("enrolled", "int", "在园幼儿数", "Enrolled children", ("在园人数", "在园幼儿", "幼儿数", "enrolment")),
        *_FACILITY_TAIL,
    ),
)

ELDERLY_CARE = LayerKind(
    "elderly_care",
    (
        *_POINT_COMMON,
        _req(
            Column(
                "care_kind",
                "category",
                "类型",
                "Kind",
                ("设施类型", "机构类型", "kind", "type"),
                values={
                    "institution": ("养老机构", "养老院", "敬老院", "福利院", "护理院", "机构", "机构养老", "老年公寓"),
                    "community": (
                        "社区养老服务站", "社区日间照料中心", "日间照料中心", "社区养老", "社区养老服务中心", "社区", "日照中心",
                        "社区站",
                    ),
                    "mutual_aid": ("农村互助幸福院", "互助幸福院", "农村互助养老", "幸福院", "互助"),
                },
                fallback="other",
            )
        ),
        Column("beds", "int", "床位数", "Beds", ("床位", "总床位数", "养老床位数")),
        Column("nursing_beds", "int", "护理型床位数", "Nursing-type beds", ("护理型床位", "护理床位数", "护理床位")),
        *_FACILITY_TAIL,
    ),
)

FITNESS = LayerKind(
    "fitness",
    (
        *_POINT_COMMON,
        # Optional: a list of fitness sites without a type column loads as 其他, with a warning.
        Column(
            "fitness_kind",
            "category",
            "类型",
            "Kind",
            ("设施类型", "场地类型", "kind", "type"),
            values={
                "community_centre": ("社区全民健身中心", "全民健身中心", "社区健身中心"),
                "sports_park": ("体育公园",),
                "fitness_trail": ("健身步道", "步道", "绿道"),
                "stadium": ("体育场馆", "体育馆", "体育场", "游泳馆", "场馆"),
                "fitness_path": ("全民健身路径", "健身路径", "健身器材", "健身广场", "路径"),
                "football_pitch": ("公共足球场", "社会足球场", "足球场", "笼式足球场", "足球"),
                "other": ("其他", "其它"),
            },
            fallback="other",
            default="other",
        ),
        *_FACILITY_TAIL,
    ),
)


RESIDENTIAL = LayerKind(
    "residential",
    (
        *_POINT_COMMON,
        Column(
            "place_kind",
            "category",
            "类型",
            "Kind",
            ("居民点类型", "kind", "type"),
            values={"community": ("社区", "小区", "居委会"), "village": ("村", "行政村", "自然村", "村委会")},
            fallback="other",
        ),
        Column(
            "urban",
            "bool",
            "城乡",
            "Urban",
            ("城乡类型", "城镇", "是否城镇", "urban_rural"),
            values={"true": ("城镇", "城市", "urban", "城区"), "false": ("农村", "乡村", "rural")},
        ),
        _req(Column("population", "int", "人口", "Population", ("常住人口", "人口数", "户籍人口", "pop", "总人口"))),
        Column("pop_3_5", "int", "3-5岁人口", "Aged 3-5", ("3至5岁人口", "3~5岁人口", "学前儿童数", "适龄幼儿数", "pop_3_to_5")),
        Column("pop_60_plus", "int", "60岁以上人口", "Aged 60+", ("60岁及以上人口", "老年人口", "pop_60")),
        _SOURCE,
    ),
)

MINOR_PROTECTION = LayerKind(
    "minor_protection",
    (
        *_POINT_COMMON,
        Column(
            "admin_level",
            "category",
            "级别",
            "Level",
            ("机构级别", "行政级别", "level"),
            values={"city": ("市级", "地级市", "市"), "county": ("县级", "区县级", "县", "区")},
            fallback="other",
        ),
        *_FACILITY_TAIL,
    ),
)

PRIMARY_CARE = LayerKind(
    "primary_care",
    (
        *_POINT_COMMON,
        _req(
            Column(
                "care_level",
                "category",
                "类型",
                "Kind",
                ("机构类型", "医疗机构类型", "机构类别", "kind", "type"),
                values={
                    "village_clinic": ("村卫生室", "卫生室", "村医疗站", "村诊所"),
                    "community_station": ("社区卫生服务站", "卫生服务站", "社区卫生站"),
                    "community_centre": ("社区卫生服务中心", "卫生服务中心"),
                    "township_centre": ("乡镇卫生院", "卫生院", "中心卫生院", "乡卫生院", "镇卫生院"),
                },
                fallback="other",
            )
        ),
        Column("beds", "int", "床位数", "Beds", ("床位", "编制床位", "实有床位")),
        *_FACILITY_TAIL,
    ),
)

HOSPITALS = LayerKind(
    "hospitals",
    (
        *_POINT_COMMON,
        # Optional and lenient: a hospital of an unknown level is kept as 'unknown level', with a warning.
        Column(
            "hospital_level",
            "category",
            "等级",
            "Level",
            ("医院等级", "医院级别", "级别", "level", "grade"),
            values={
                "level1": ("一级", "一级甲等", "一级乙等", "一级丙等", "一甲", "一乙", "一级医院"),
                "level2": ("二级", "二级甲等", "二级乙等", "二级丙等", "二甲", "二乙", "二级医院"),
                "level3": ("三级", "三级甲等", "三级乙等", "三级丙等", "三甲", "三乙", "三级医院"),
                "unknown": ("未定级", "未评级", "未知", "不详", "unknown"),
            },
            fallback="unknown",
            default="unknown",
            warn_fallback=True,
        ),
        Column(
            "admin_tier",
            "category",
            "隶属",
            "Tier",
            ("举办层级", "隶属关系", "县级/市级/省级", "tier"),
            values={
                "county": ("县级", "县属", "区级", "县"),
                "city": ("市级", "市属", "地市级", "市"),
                "province": ("省级", "省属", "省"),
            },
            fallback="other",
        ),
        Column("beds", "int", "床位数", "Beds", ("床位", "编制床位", "实有床位", "开放床位")),
        Column(
            "emergency_base", "bool", "公共卫生应急基地", "Public-health emergency base",
            ("应急基地", "是否应急基地", "公共卫生应急", "emergency"),
        ),
        *_FACILITY_TAIL,
    ),
)

SPECIAL_EDUCATION = LayerKind(
    "special_education",
    (
        *_POINT_COMMON,
        Column(
            "school_kind",
            "category",
            "类型",
            "Kind",
            ("学校类型", "办学类型", "kind", "type"),
            values={
                "special": ("特殊教育学校", "特教学校", "特殊教育", "培智学校", "聋哑学校", "盲校", "启智学校"),
                "boarding": ("寄宿制学校", "寄宿学校", "寄宿制"),
            },
            fallback="other",
            default="special",
        ),
        Column("places", "int", "学位数", "Places", ("学位", "核定学位", "capacity")),
        Column("pupils", "int", "在校生数", "Pupils", ("在校人数", "在校学生", "学生数", "在校生")),
        *_FACILITY_TAIL,
    ),
)

_VENUE_LEVEL = Column(
    "admin_level",
    "category",
    "级别",
    "Level",
    ("机构级别", "行政级别", "层级", "level"),
    values={
        "province": ("省级", "省"),
        "city": ("市级", "地级市", "市", "区域性"),
        "county": ("县级", "区县级", "县", "区"),
        "township": ("乡镇级", "乡镇", "街道", "乡", "镇"),
    },
    fallback="other",
)

CULTURE = LayerKind(
    "culture",
    (
        *_POINT_COMMON,
        _req(
            Column(
                "venue_kind",
                "category",
                "类型",
                "Kind",
                ("场馆类型", "设施类型", "kind", "type"),
                values={
                    "library": ("图书馆", "公共图书馆", "县图书馆"),
                    "cultural_centre": ("文化馆", "群众艺术馆", "群艺馆", "县文化馆"),
                    "cultural_station": ("综合文化站", "乡镇综合文化站", "文化站", "街道综合文化站"),
                    "museum": ("博物馆", "纪念馆", "美术馆"),
                },
                fallback="other",
            )
        ),
        _VENUE_LEVEL,
        Column("free_open", "bool", "免费开放", "Free and open", ("是否免费开放", "免费", "free")),
        *_FACILITY_TAIL,
    ),
)

CHILD_WELFARE = LayerKind(
    "child_welfare",
    (
        *_POINT_COMMON,
        replace(_VENUE_LEVEL, values={k: v for k, v in _VENUE_LEVEL.values.items() if k in ("city", "county")}),
        Column("beds", "int", "床位数", "Beds", ("床位", "养育床位")),
        *_FACILITY_TAIL,
    ),
)

KINDS: dict[str, LayerKind] = {
    k.name: k
    for k in (
        KINDERGARTENS, ELDERLY_CARE, FITNESS, RESIDENTIAL, MINOR_PROTECTION,
        PRIMARY_CARE, HOSPITALS, SPECIAL_EDUCATION, CULTURE, CHILD_WELFARE,
    )
}


def get_kind(kind: str | LayerKind) -> LayerKind:
    """Return the :class:`LayerKind` for a name (or pass one through)."""
    if isinstance(kind, LayerKind):
        return kind
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown layer kind {kind!r}; use one of {', '.join(KINDS)}") from None


# Bool spellings are shared by every bool column.
BOOL_TRUE = frozenset(normalise_value(v) for v in _TRUE)
BOOL_FALSE = frozenset(normalise_value(v) for v in _FALSE)
