"""Gap lists: which townships, communities and counties fall short, exported for siting."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from sxgeo.analysis.inputs import Inputs, analyse_inputs, require_layers
from sxgeo.analysis.run import Analysis
from sxgeo.errors import InputError
from sxgeo.layers.geometry import off_map_rows
from sxgeo.layers.scope import Scope
from sxgeo.outputs.tables import localise, notes_in, write_table

__all__ = ["GAP_KINDS", "GAP_LAYERS", "OFF_MAP", "export_gaps", "gap_rows"]

#: ``sxgeo gaps --kind`` -> walking quantity (None: the kindergarten gap list).
GAP_KINDS: dict[str, str | None] = {
    "kindergarten": None,
    "fitness": "fitness_walk_share",
    "elderly": "elderly_walk_share",
}
#: ``sxgeo gaps --kind off_map``: the loaded records without a location, every layer together.
OFF_MAP = "off_map"


def gap_rows(analysis: Analysis, kind: str) -> gpd.GeoDataFrame | None:
    """The full gap list of ``kind`` (``kindergarten``, ``fitness``, ``elderly``).

    See :meth:`sxgeo.analysis.run.Analysis.gap_lists`: walking gap lists keep
    every column of the source demand layer plus the access results; the
    kindergarten list holds townships keyed by ``unit_code``.  None when the
    layers needed are missing.
    """
    return analysis.gap_lists().get(kind)


#: Layer kinds each gap list needs.
GAP_LAYERS: dict[str, tuple[str, ...]] = {
    "kindergarten": ("kindergartens",),
    "fitness": ("residential", "fitness"),
    "elderly": ("residential", "elderly_care"),
    OFF_MAP: (),
}


def export_gaps(inputs: Inputs, kind: str, scope: Scope, path: str | Path, *, lang: str = "zh") -> tuple[Path, int]:
    """Write the gap list of ``kind`` in ``scope`` to ``path`` (.csv, .xlsx or .gpkg).

    ``kind`` ``off_map`` writes the records without a location instead (a
    table without geometry: a GeoPackage gets it as an attribute table).
    Returns the path and the number of rows written.
    """
    require_layers([k for k, v in inputs.layers.items() if v is not None], GAP_LAYERS[kind])
    if kind == OFF_MAP:
        rows = notes_in(scope.rows(off_map_rows(inputs.layers)), lang)
        return _write(localise(rows, lang), path, kind, lang), len(rows)
    quantity = GAP_KINDS[kind]
    targets = inputs.targets
    if quantity is not None:
        targets = [tg for tg in inputs.targets if tg.quantity == quantity][:1]
        if not targets:
            raise InputError("report.err_no_target", quantity=quantity)
    else:
        targets = [tg for tg in inputs.targets if tg.kind == "kindergartens"][:1] or inputs.targets[:1]
    analysis = analyse_inputs(inputs, county_codes=scope.county_codes, targets=targets)
    rows = scope.rows(gap_rows(analysis, kind))
    return _write(localise(rows, lang), path, kind, lang), len(rows)


def _write(frame, path: str | Path, kind: str, lang: str) -> Path:
    """Write one list; a file that cannot be written is an :class:`InputError` naming it."""
    path = Path(path)
    try:
        write_table(frame, path, layer=f"{kind}_gaps", lang=lang)
    except OSError as exc:
        raise InputError("report.err_output_file", path=str(path), problem=exc.strerror or type(exc).__name__) from None
    return path
