"""The ``sxgeo`` command line: batch reports, gap-list exports and siting proposals.

Only argument parsing and printing live here; the work is done by
:mod:`sxgeo.analysis`, :mod:`sxgeo.report` and :mod:`sxgeo.app`, which call the same analysis
functions as the app.  Messages are in simplified Chinese, or English with
``--lang en``.  Every bad option or input ends with one line on stderr and
exit code 2; a batch in which some county failed ends with exit code 1.

Examples::

    sxgeo report --county 140105
    sxgeo report --all --out 报告 --jobs 2
    sxgeo gaps --kind fitness --city 140100 --format gpkg
    sxgeo site --kind elderly --county 140105 -n 5
    sxgeo site --kind kindergarten --city 140700 --candidates 可用地块.xlsx
    sxgeo gaps --kind hospitals --county 140105 --format xlsx
    sxgeo site --kind special_education --county 140105
    sxgeo access --kind kindergartens --method e2sfca --county 140105 --format xlsx
    sxgeo regional --city 140800 --osm shanxi-latest.osm.pbf
    sxgeo app --port 8501
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sxgeo import cli_workspace
from sxgeo.settings import CROSS_BORDER_M, DETOUR_FACTOR
from sxgeo.settings import TRAVEL_MODES as MODES
from sxgeo.text import LANGS, t

__all__ = ["build_parser", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: ``gaps`` and ``site`` kinds of the plan tasks' facility layers (see :data:`sxgeo.report.gaps.TARGET_KINDS`).
_TARGET_KINDS = ("primary_care", "hospitals", "special_education", "culture", "child_welfare")


def _t(key: str, lang: str, **params: object) -> str:
    """The command line's text ``cli.<key>`` in ``lang``."""
    return t(f"cli.{key}", lang, **params)


_ARGV: list[str] = []


def _lang_of(argv: list[str]) -> str:
    """The ``--lang`` of a command line that could not be parsed (for its error message)."""
    for i, a in enumerate(argv):
        if a == "--lang=en" or (a == "--lang" and argv[i + 1 : i + 2] == ["en"]):
            return "en"
    return "zh"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        lang = _lang_of(_ARGV)
        self.exit(EXIT_USAGE, _t("error_line", lang, prog=self.prog, message=" ".join(message.split())) + "\n")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _data_parser() -> argparse.ArgumentParser:
    """The data options every analysing subcommand shares (layers, targets, network, travel)."""
    data = argparse.ArgumentParser(add_help=False)
    g = data.add_argument_group("数据 / data (默认：自带的合成演示数据 / default: the bundled synthetic demo data)")
    g.add_argument("--residential", metavar="FILE", action="append",
                   help="居民点图层（可重复）/ residential demand points (repeatable)")
    g.add_argument("--population-table", metavar="FILE",
                   help="乡镇人口普查表（替代居民点图层）/ census table per township (replaces --residential)")
    g.add_argument("--population-grid", metavar="FILE",
                   help="人口格网 GeoTIFF，如 WorldPop（替代居民点图层）/ population grid GeoTIFF (replaces --residential)")
    g.add_argument("--kindergartens", metavar="FILE", action="append",
                   help="幼儿园图层（可重复）/ kindergartens (repeatable)")
    g.add_argument("--elderly-care", metavar="FILE", action="append",
                   help="养老服务设施图层（可重复）/ elderly-care sites (repeatable)")
    g.add_argument("--fitness", metavar="FILE", action="append",
                   help="健身设施图层（可重复）/ fitness facilities (repeatable)")
    g.add_argument("--minor-protection", metavar="FILE", action="append",
                   help="未成年人救助保护机构（可重复）/ minor-protection institutions (repeatable)")
    g.add_argument("--primary-care", metavar="FILE", action="append",
                   help="基层医疗卫生机构：村卫生室、社区卫生服务站/中心、乡镇卫生院（可重复）/ primary care (repeatable)")
    g.add_argument("--hospitals", metavar="FILE", action="append",
                   help="医院（等级、隶属、公共卫生应急基地）（可重复）/ hospitals (repeatable)")
    g.add_argument("--special-education", metavar="FILE", action="append",
                   help="特殊教育与寄宿制学校（可重复）/ special-education and boarding schools (repeatable)")
    g.add_argument("--culture", metavar="FILE", action="append",
                   help="公共文化设施：图书馆、文化馆、综合文化站（可重复）/ public cultural venues (repeatable)")
    g.add_argument("--child-welfare", metavar="FILE", action="append",
                   help="儿童福利机构（可重复）/ child-welfare institutions (repeatable)")
    g.add_argument("--workspace", metavar="NAME",
                   help="使用工作空间中的图层、目标文件和路网（见 sxgeo workspace）/ use a stored workspace's layers")
    g.add_argument("--coord-system", default="auto",
                   help="坐标系 auto|wgs84|gcj02|bd09（auto：高德、腾讯导出为 GCJ-02，百度为 BD-09，其余 WGS-84）/ datum (auto)")
    g.add_argument("--township-polygons", metavar="FILE", help="乡镇界线 / township polygons")
    g.add_argument("--targets", metavar="FILE", help="目标文件 (TOML) / targets file")
    g.add_argument("--osm", metavar="FILE", help="本地 OSM 路网文件 (.osm.pbf/.osm) / local OSM file: network travel times")
    g.add_argument("--mode", choices=MODES, default=MODES[0],
                   help="出行方式（目标文件未指定时）：步行 walk 或驾车 drive / travel mode of targets that name none (walk)")
    g.add_argument("--road-speeds", metavar="FILE", help="驾车车速文件 (TOML) / road-speed file for drive mode")
    g.add_argument("--no-cross-border", action="store_true",
                   help="只计本区县的设施 / count only each county's own facilities (no cross-border access)")
    g.add_argument("--cross-border-m", type=float, default=CROSS_BORDER_M, metavar="METRES",
                   help=f"跨界范围（米）/ margin around the area within which neighbours' facilities count ({CROSS_BORDER_M:g})")
    g.add_argument("--cache-dir", metavar="DIR", help="路网缓存目录 / network cache folder")
    g.add_argument("--detour-factor", type=float, default=DETOUR_FACTOR,
                   help=f"无路网时的绕行系数 / detour factor without a network ({DETOUR_FACTOR:g})")
    return data


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (subcommands ``report``, ``gaps``, ``site``, ``access``, ``regional``, ``workspace``, ``app``)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGS, default=LANGS[0], help="语言 / language (default zh)")

    data = _data_parser()

    def scope(p: argparse.ArgumentParser, *, allow_all: bool) -> None:
        s = p.add_mutually_exclusive_group(required=True)
        s.add_argument("--county", metavar="CODE", help="区县代码，例如 140105 / county code")
        s.add_argument("--city", metavar="CODE", help="地级市代码，例如 140100 / city code")
        if allow_all:
            s.add_argument("--all", action="store_true", help="全省 117 个区县 / all 117 counties")

    parser = _Parser(prog="sxgeo", description=_t("prog", "zh") + " / " + _t("prog", "en"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    rp = sub.add_parser("report", parents=[common, data], help="区县报告 (HTML + XLSX) 与汇总页 / county reports and summary")
    scope(rp, allow_all=True)
    rp.add_argument("--out", default="sxgeo-reports", metavar="DIR", help="输出目录 / output folder (sxgeo-reports)")
    rp.add_argument("--jobs", type=_positive_int, default=min(os.cpu_count() or 1, 4), help="并行进程数 / worker processes")
    rp.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    rp.add_argument("--timings", metavar="FILE", help="把各区县用时写入 CSV / write per-county seconds to a CSV file")
    rp.add_argument("--scenario", metavar="FILE",
                    help="区域医疗项目情景文件 (TOML)，默认自带的四个项目（见 sxgeo regional）/ regional medical "
                         "projects scenario (default: the shipped four projects; see sxgeo regional)")

    gp = sub.add_parser("gaps", parents=[common, data], help="导出缺口清单 / export a gap list")
    gp.add_argument("--kind", required=True, choices=("kindergarten", "fitness", "elderly", *_TARGET_KINDS, "off_map"),
                    help="off_map: 未上图的记录 / records without a location；primary_care、hospitals、special_education、"
                         "culture、child_welfare：该图层上每个目标一张清单（无设施的单位、出行时间以外的村和社区）"
                         " / one list per target on that layer (units without the facility, points beyond reach)")
    scope(gp, allow_all=True)
    gp.add_argument("--format", choices=("csv", "xlsx", "gpkg"), default="xlsx")
    gp.add_argument("--out", metavar="FILE", help="输出文件 / output file (default <kind>_gaps_<code>.<format>)")

    sp = sub.add_parser("site", parents=[common, data], help="选址建议 / where to build next")
    sp.add_argument("--kind", required=True, choices=("fitness", "elderly", "kindergarten", *_TARGET_KINDS),
                    help="primary_care、hospitals、special_education、culture、child_welfare：该图层上的每个目标——"
                         "“每个单位至少一处”的规则为每个缺少的单位选一处（居民加权距离最短）；出行时间目标用 MCLP/LSCP，"
                         "按目标的出行方式（医院：驾车）。医疗服务圈城镇居民步行、农村居民按 rural_mode 出行："
                         "两组分别选址、分别报告（各至多 -n 处）/ every target on that layer: one site per unit lacking a "
                         "presence rule's facility (least resident-weighted distance); MCLP/LSCP for travel targets by the "
                         "target's own mode (hospitals: drive); the medical circle is sited separately for urban "
                         "residents (walking) and rural residents (by rural_mode), both reported (up to -n sites each)")
    scope(sp, allow_all=False)
    sp.add_argument("-n", "--sites", type=_positive_int, default=5, help="MCLP 新增设施数 / new sites for the MCLP (5)")
    sp.add_argument("--candidates", metavar="FILE", help="候选点图层（如可用地块）/ candidate sites (e.g. available land)")
    sp.add_argument("--method", choices=("both", "mclp", "lscp", "pmedian"), default="both",
                    help="健身、养老：MCLP、LSCP 或两者 (both)；pmedian：按容量为缺学位/床位的人选址 / capacity p-median")
    sp.add_argument("--capacity", type=float, default=None, metavar="N",
                    help="pmedian：每处新设施的学位/床位数（默认取目标文件）/ seats or beds of one new site")
    sp.add_argument("--time-limit", type=float, default=None, metavar="SECONDS", help="求解时限 / solver time limit")
    sp.add_argument("--out", metavar="DIR", help="输出目录 / output folder (default sites_<kind>_<code>)")
    _access_parser(sub, [common, data], scope)
    _regional_parser(sub, [common, data])

    cli_workspace.add_parser(sub, [common])

    ap = sub.add_parser("app", parents=[common], help="启动规划地图应用 / start the planner map app")
    ap.add_argument("--port", type=_positive_int, default=8501, help="端口 / port (8501)")
    ap.add_argument("--address", default=None, help="监听地址 / address to listen on (default: all)")
    return parser


def _access_parser(sub, parents, scope) -> None:
    """The ``access`` subcommand: capacity access (2SFCA and kin) and equity of one kind."""
    ac = sub.add_parser("access", parents=parents,
                        help="供需可达性（两步移动搜索法等）与公平性 / capacity access (2SFCA …) and equity")
    ac.add_argument("--kind", required=True, choices=("kindergartens", "elderly", "fitness"))
    ac.add_argument("--method", choices=("2sfca", "e2sfca", "gaussian", "gravity"), default=None,
                    help="方法（默认取目标文件）/ method (default: the targets file's)")
    ac.add_argument("--catchment-min", type=float, default=None, metavar="MIN",
                    help="服务范围（分钟）/ catchment in minutes (default: the targets file's)")
    ac.add_argument("--speed-kmh", type=float, default=None, help="出行速度 / travel speed (default: the targets file's)")
    ac.add_argument("--threshold", type=float, default=None,
                    help="目标值（每千名/每万名）/ target per 1,000 or 10,000 people (default: the targets file's)")
    scope(ac, allow_all=True)
    ac.add_argument("--format", choices=("xlsx", "csv", "gpkg"), default="xlsx")
    ac.add_argument("--out", metavar="FILE", help="输出文件 / output file (default access_<kind>_<code>.<format>)")


def _regional_parser(sub, parents) -> None:
    """The ``regional`` subcommand: the four regional medical projects scenario, before and after."""
    rg = sub.add_parser(
        "regional", parents=parents,
        help="四个省级区域医疗项目情景：建设前后驾车可达高等级医院的人口 / the four regional medical projects: "
             "residents within reach of a high-level hospital before and after",
        description="按情景文件中的驾车时间和医院等级，比较建设前（现有医院）与建设后（加上项目）的可达人口；"
                    "总在全省计算（驾车服务圈跨越市界），--county/--city 只选择显示的范围 / compares the residents "
                    "within the scenario's drive times of a hospital of its level before (existing hospitals) and "
                    "after (projects added); always computed for the whole province (drive catchments cross city "
                    "lines), --county/--city only choose what is shown",
    )
    rg.add_argument("--scenario", metavar="FILE",
                    help="情景文件 (TOML)，默认自带的四个区域医疗项目（位置为近似）/ scenario file (default: the "
                         "shipped four projects, approximate positions)")
    s = rg.add_mutually_exclusive_group()
    s.add_argument("--county", metavar="CODE", help="只显示该区县 / show this county, e.g. 140802")
    s.add_argument("--city", metavar="CODE", help="只显示该地级市及其区县 / show this city and its counties, e.g. 140800")
    s.add_argument("--all", action="store_true", help="全省（默认）/ the whole province (default)")
    rg.add_argument("-n", "--top", type=_positive_int, default=5,
                    help="列出新增可达人口最多的前 N 个区县 / counties gaining most to print (5)")
    rg.add_argument("--format", choices=("xlsx",), default="xlsx")
    rg.add_argument("--out", metavar="FILE", help="输出文件 / output file (default regional_<code>.xlsx)")


def _files(args: argparse.Namespace) -> dict[str, list[str] | None]:
    """The layer files given, by layer kind (each kind's option is ``--<kind>`` with dashes)."""
    from sxgeo.analysis.inputs import LAYER_KINDS

    return {kind: getattr(args, kind) for kind in LAYER_KINDS}


def _inputs(args: argparse.Namespace, scope_area, mode: str | None = None):
    """The inputs of the data options; ``mode`` (default ``--mode``) is the travel mode of targets naming none."""
    from sxgeo.analysis.inputs import load_inputs

    inputs = load_inputs(
        _files(args),
        workspace=args.workspace,
        coord_system=args.coord_system,
        targets_path=args.targets,
        township_polygons=args.township_polygons,
        osm=args.osm,
        cache_dir=args.cache_dir,
        area=scope_area,
        detour_factor=args.detour_factor,
        mode=mode or args.mode,
        cross_border=not args.no_cross_border,
        margin_m=args.cross_border_m,
        road_speeds=args.road_speeds,
        population_table=args.population_table,
        population_grid=args.population_grid,
    )
    for network in inputs.networks.values():
        for key, params in network.notes:
            print(t(key, args.lang, **params), file=sys.stderr)
    if inputs.synthetic:
        print(_t("demo", args.lang), file=sys.stderr)
    else:
        for res in inputs.loaded.values():
            print(res.summary(args.lang), file=sys.stderr)
    return inputs


def _scope(args: argparse.Namespace):
    from sxgeo.layers import boundaries
    from sxgeo.layers.scope import resolve_scope

    counties = boundaries.load_counties()
    if args.county is not None:
        return resolve_scope(counties, "county", args.county), counties
    if args.city is not None:
        return resolve_scope(counties, "city", args.city), counties
    return resolve_scope(counties), counties


def _check_inputs(args: argparse.Namespace, needed: tuple[str, ...] = ()) -> None:
    """Check the file options and the coordinate system, and that the layers a command needs are given.

    Every file option names an existing file, the coordinate system is known,
    and (when the user gives layers) the layers the command ``needed`` are
    among them.
    """
    from sxgeo.analysis.inputs import check_inputs, require_layers

    layer_files = [p for v in _files(args).values() for p in (v or [])]
    paths = [*layer_files, args.targets, args.township_polygons, args.osm, args.road_speeds,
             getattr(args, "candidates", None), args.population_table, args.population_grid]
    check_inputs(paths, args.coord_system)
    given = [k for k, v in _files(args).items() if v is not None]
    if args.population_table or args.population_grid:
        given.append("residential")
    if args.workspace:
        from sxgeo.io.store import open_store

        given += list(open_store().info(args.workspace).layers)
    if given:
        require_layers(given, needed)


def _cmd_report(args: argparse.Namespace) -> int:
    from sxgeo.analysis.inputs import analyse_inputs
    from sxgeo.analysis.regional import load_regional_scenario
    from sxgeo.outputs.files import check_output_dir
    from sxgeo.report.batch import run_batch
    from sxgeo.report.builder import ReportBuilder

    scope, counties = _scope(args)
    _check_inputs(args)
    out = check_output_dir(args.out)
    scenario = load_regional_scenario(args.scenario, counties=counties)  # a bad file fails before any data is read
    inputs = _inputs(args, scope.area(counties, args.cross_border_m))
    analysis = analyse_inputs(inputs)
    builder = ReportBuilder(inputs, analysis, scope, lang=args.lang, regional_scenario=scenario)
    desc, unit = _t("progress_desc", args.lang), _t("progress_unit", args.lang)
    result = run_batch(
        builder, scope.county_codes, out, jobs=args.jobs, progress=not args.no_progress, desc=desc, unit=unit
    )
    if args.timings:
        result.write_timings(args.timings)
    print(_t("report_done", args.lang, n=len(result.written), index=result.summary_html, seconds=result.total_seconds))
    if result.failures:
        print(_t("report_failed", args.lang, n=len(result.failures)), file=sys.stderr)
        for code, message in result.failures.items():
            print(f"  {code} {builder.county_info.at[code, 'name']}: {message}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _output_file(args: argparse.Namespace, default_stem: str) -> Path:
    """``--out`` (default ``<default_stem>.<format>``) with the format's suffix, in a folder that can be written."""
    from sxgeo.outputs.files import check_output_dir

    path = Path(args.out) if args.out else Path(f"{default_stem}.{args.format}")
    if path.suffix.lower() != f".{args.format}":
        path = path.with_name(path.name + f".{args.format}")
    check_output_dir(path.parent if str(path.parent) else Path("."))
    return path


def _cmd_gaps(args: argparse.Namespace) -> int:
    from sxgeo.report.gaps import GAP_LAYERS, TARGET_KINDS, export_gaps, export_target_gaps

    scope, counties = _scope(args)
    _check_inputs(args, GAP_LAYERS[args.kind])
    path = _output_file(args, f"{args.kind}_gaps_{scope.code}")
    inputs = _inputs(args, scope.area(counties, args.cross_border_m))
    if args.kind in TARGET_KINDS:
        paths, lists = export_target_gaps(inputs, args.kind, scope, path, lang=args.lang)
        for item in lists:
            n = 0 if item.rows is None else len(item.rows)
            print(_t("gaps_list_row", args.lang, target=item.target.name(args.lang), n=n))
        print(_t("written", args.lang, paths=", ".join(str(p) for p in paths)))
        return EXIT_OK
    written, n = export_gaps(inputs, args.kind, scope, path, lang=args.lang)
    print(_t("gaps_done", args.lang, n=n, path=written))
    return EXIT_OK


def _cmd_site(args: argparse.Namespace) -> int:
    from sxgeo.analysis import siting
    from sxgeo.outputs.files import check_output_dir
    from sxgeo.report.sites import write_site_outputs

    scope, counties = _scope(args)
    _check_inputs(args, siting.SITE_LAYERS[args.kind])
    out = check_output_dir(args.out or f"sites_{args.kind}_{scope.code}")
    inputs = _inputs(args, scope.area(counties, args.cross_border_m))
    candidates = None
    if args.candidates:
        loaded = siting.load_candidates(
            args.candidates, args.kind, coord_system=args.coord_system, counties=inputs.counties, townships=inputs.townships
        )
        print(loaded.summary(args.lang), file=sys.stderr)
        candidates = loaded.layer
    if args.method == "pmedian":
        return _capacity_site(args, inputs, scope, out, candidates)
    result = siting.run_site(
        inputs, scope, args.kind, n_sites=args.sites, candidates=candidates,
        methods=("mclp", "lscp") if args.method == "both" else (args.method,), time_limit_s=args.time_limit,
    )
    _print_site(result, args.lang)
    paths = write_site_outputs(result, inputs, scope, args.kind, out, lang=args.lang)
    print(_t("written", args.lang, paths=", ".join(str(p) for p in paths)))
    return EXIT_OK


def _capacity_site(args: argparse.Namespace, inputs, scope, out, candidates) -> int:
    from sxgeo.formatting import fmt_percent
    from sxgeo.report.capacity import run_capacity_sites, write_capacity_sites

    result = run_capacity_sites(inputs, args.kind, scope, args.sites, capacity=args.capacity, candidates=candidates,
                                time_limit_s=args.time_limit)
    lang = args.lang
    print(_t("pm_head", lang, short=f"{result.short_before:,.0f}", n=len(result.sites),
             capacity=f"{result.params['capacity']:g}", unserved=f"{result.unserved:,.0f}"))
    for s in result.sites.itertuples(index=False):
        print(_t("pm_row", lang, order=s.order, name=s.name or "", township=s.township_name or "",
                 served=f"{s.served:,.0f}", minutes=f"{s.mean_minutes:.1f}"))
    whole = result.comparison.set_index("unit_code").loc["all"]
    print(_t("pm_change", lang, below_before=fmt_percent(whole["share_below_before"]),
             below_after=fmt_percent(whole["share_below_after"]), gini_before=f"{whole['gini_before']:.3f}",
             gini_after=f"{whole['gini_after']:.3f}"))
    paths = write_capacity_sites(result, out, lang=lang)
    print(_t("written", lang, paths=", ".join(str(p) for p in paths)))
    return EXIT_OK


def _print_plan_sites(result, lang: str) -> None:
    """A plan task layer's proposals: per presence rule its sites, per travel target (and group) its covering."""
    for part in result.parts:
        name = part.target.name(lang)
        if part.sites is not None:
            print(_t("presence_head" if len(part.sites) else "presence_met", lang, target=name, n=len(part.sites)))
            for rec in part.sites.itertuples(index=False):
                if rec.basis == "none":
                    print(_t("presence_none", lang, unit=rec.unit_name, code=rec.unit_code))
                    continue
                distance = "—" if rec.mean_distance_m != rec.mean_distance_m else f"{rec.mean_distance_m:,.0f}"
                print(_t("presence_row", lang, unit=rec.unit_name, code=rec.unit_code,
                         basis_text=_t(f"presence_basis.{rec.basis}", lang), site=rec.site_id, name=rec.site_name or "",
                         population=f"{rec.population:,.0f}" if rec.population == rec.population else "—",
                         distance=distance))
            continue
        group = _t(f"group.{part.group}", lang) if part.group else ""
        print(_t("cover_head", lang, target=name, group=group, mode=_t(f"mode.{part.mode}", lang)))
        _print_site(part.covering, lang)


def _print_site(result, lang: str) -> None:
    from sxgeo.analysis import siting
    from sxgeo.analysis.plan_siting import PlanSiting
    from sxgeo.formatting import fmt_percent

    if isinstance(result, PlanSiting):
        _print_plan_sites(result, lang)
        return
    if isinstance(result, siting.SitingResult):
        for rec in result.coverage.itertuples(index=False):
            label = t(f"val.scenario.{rec.scenario}", lang)
            print(_t("site_cov", lang, label=label, sites=rec.new_sites, covered=rec.covered_population,
                     population=rec.population, share=fmt_percent(rec.share), added=rec.added_population))
            frame = result.sites if rec.scenario == "mclp" else None
            for s in (frame.itertuples(index=False) if frame is not None else ()):
                print(_t("site_row", lang, order=s.order, id=getattr(s, "id", ""), name=getattr(s, "name", ""),
                         added=s.added_population))
        if result.params.get("unreachable_population"):
            print(_t("unreachable", lang, pop=result.params["unreachable_population"]))
        return
    print(_t("kg_head", lang, n=len(result)))
    for rec in result.itertuples(index=False):
        if rec.basis == "none":
            print(_t("kg_none", lang, township=rec.township_name, code=rec.township_code))
            continue
        kids = "—" if rec.children_3_5 != rec.children_3_5 else f"{rec.children_3_5:,.0f}"
        basis = _t(f"basis.{rec.basis}", lang)
        print(_t("kg_row", lang, township=rec.township_name, code=rec.township_code, basis_text=basis,
                 site=rec.site_id, name=rec.site_name or "", kids=kids))


def _cmd_access(args: argparse.Namespace) -> int:
    from sxgeo.report.capacity import ACCESS_LAYERS, export_access, run_access

    scope, counties = _scope(args)
    _check_inputs(args, ACCESS_LAYERS[args.kind])
    path = _output_file(args, f"access_{args.kind}_{scope.code}")
    inputs = _inputs(args, scope.area(counties, args.cross_border_m))
    overrides = {"method": args.method, "catchment_min": args.catchment_min, "speed_kmh": args.speed_kmh,
                 "threshold": args.threshold}
    result = run_access(inputs, args.kind, overrides)
    for key, params in result.warnings:
        print(t(key, args.lang, **params), file=sys.stderr)
    written, n = export_access(result, scope, path, lang=args.lang)
    print(_t("access_done", args.lang, n=n, path=written))
    return EXIT_OK


def _cmd_regional(args: argparse.Namespace) -> int:
    from sxgeo.analysis.inputs import require_layers
    from sxgeo.analysis.regional import load_regional_scenario
    from sxgeo.outputs.regional import write_regional_xlsx
    from sxgeo.report.regional import compute_reach, scope_reach, summary_lines

    scope, counties = _scope(args)
    _check_inputs(args, ("residential",))
    path = _output_file(args, f"regional_{scope.code}")
    scenario = load_regional_scenario(args.scenario, counties=counties)  # a bad file fails before any data is read
    # the whole province, by car: a drive of an hour or two crosses city lines, and the scope only chooses what is shown
    inputs = _inputs(args, None, mode="drive")
    require_layers(inputs.layers, ("residential",))
    reach = scope_reach(compute_reach(inputs, scenario), scope, whole=True)
    for line in summary_lines(reach, scope, args.lang, n=args.top):
        print(line)
    write_regional_xlsx(reach, path, args.lang)
    print(_t("written", args.lang, paths=str(path)))
    return EXIT_OK


def _cmd_app(args: argparse.Namespace) -> int:
    from sxgeo.app.launch import run

    return run(port=args.port, address=args.address)


_COMMANDS = {"report": _cmd_report, "gaps": _cmd_gaps, "site": _cmd_site, "access": _cmd_access,
             "regional": _cmd_regional, "app": _cmd_app, "workspace": lambda args: cli_workspace.run(args)}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 some county failed, 2 bad option or input)."""
    parser = build_parser()
    _ARGV[:] = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(_ARGV)
    from sxgeo.errors import SxgeoError

    try:
        return _COMMANDS[args.command](args)
    except SxgeoError as exc:
        print(_t("error_line", args.lang, prog="sxgeo", message=" ".join(exc.message(args.lang).split())), file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
