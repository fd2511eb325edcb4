"""The result of loading a layer: the loaded rows, the rejected rows with their reasons, and a summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from sxgeo.layers.kinds import LayerKind
from sxgeo.text import choose, t

__all__ = ["CombinedResult", "LoadResult", "combine_results", "note_counts"]

# Note key -> the kind it is counted under in the load summary.
_NOTE_KINDS = {
    "note_value_read": "value_read",
    "note_category_other": "category_other",
    "note_default_value": "default_value",
    "note_poi_category": "poi_category",
    "note_generated_id": "generated_id",
    "note_near_border": "near_border",
    "note_county_mismatch": "county_mismatch",
    "note_polygon_centroid": "polygon_centroid",
    "note_unlocated_township": "unlocated",
    "note_unlocated_county": "unlocated",
    "note_township_code_unlisted": "township_unlisted",
    "note_township_unlisted": "township_unlisted",
    "note_township_unlisted_close": "township_unlisted",
    "note_township_ambiguous": "township_unlisted",
}

@dataclass
class LoadResult:
    """A loaded layer and the rows that could not be loaded.

    Attributes
    ----------
    kind
        The layer kind.
    layer
        The loaded rows: canonical columns, administrative columns
        (:data:`ADMIN_COLUMNS`, with ``located``), ``row`` (the source row
        number), ``notes`` / ``notes_en`` (caveats), any extra source columns,
        and point geometry in EPSG:4326 (None where ``located`` is False).
    rejected
        One row per rejected input row: ``row``, ``reason_key``, ``reason``
        (Chinese), ``reason_en`` and the original values under their original
        headers.
    source
        The file's name.
    column_map
        Source header -> canonical column, for the headers that were recognised.
    coord_system
        The file's datum (rows with a ``坐标系`` value use their own).
    datum_reason
        Why: ``explicit`` (the caller named it), ``export`` (the datum of the
        recognised map service) or ``default`` (WGS-84, nothing recognised);
        None when no point coordinates were read (the summary then says nothing
        about the datum).
    service
        ``amap``, ``baidu`` or ``tencent`` for a recognised POI export, else None.
    warnings
        File-level messages ``(key, params)`` (a missing optional column …).
    note_counts
        Loaded rows with a note, by kind of note (``value_read``,
        ``unlocated``, ``township_unlisted`` …; see ``load.note_kind.*``).
    """

    kind: LayerKind
    layer: gpd.GeoDataFrame
    rejected: pd.DataFrame
    source: str
    column_map: dict[str, str] = field(default_factory=dict)
    coord_system: str = "wgs84"
    datum_reason: str | None = None
    service: str | None = None
    warnings: list[tuple[str, dict]] = field(default_factory=list)
    has_row_datum: bool = False
    note_counts: dict[str, int] = field(default_factory=dict)

    @property
    def n_input(self) -> int:
        """The number of input rows: loaded plus rejected."""
        return len(self.layer) + len(self.rejected)

    @property
    def n_located(self) -> int:
        """Loaded rows with a location on the map."""
        if "located" not in self.layer:
            return len(self.layer)
        return int(self.layer["located"].fillna(True).astype(bool).sum())

    @property
    def unlocated(self) -> gpd.GeoDataFrame:
        """The loaded rows without a location ("not on the map")."""
        if "located" not in self.layer:
            return self.layer.iloc[0:0]
        return self.layer[~self.layer["located"].fillna(True).astype(bool).to_numpy()]

    def counts(self) -> dict[str, int]:
        """Every input row accounted for: ``input``, ``loaded``, ``located``, ``unlocated`` and ``rejected``."""
        return {
            "input": self.n_input,
            "loaded": len(self.layer),
            "located": self.n_located,
            "unlocated": len(self.layer) - self.n_located,
            "rejected": len(self.rejected),
        }

    def summary(self, lang: str = "zh") -> str:
        """One line: rows read, loaded (with and without a location) and rejected, notes by kind, the datum and warnings."""
        c = self.counts()
        counts = t(
            "load.summary", lang, source=self.source, kind=self.kind.label(lang), n=c["input"],
            loaded=c["loaded"], located=c["located"], unlocated=c["unlocated"], rejected=c["rejected"],
        )
        notes = [self.notes_text(lang)] if self.note_counts else []
        datum = [self.datum_text(lang)] if self.datum_reason else []
        parts = [counts, *notes, *datum, *(t(k, lang, **p) for k, p in self.warnings)]
        return t("load.sep", lang).join(parts)

    def notes_text(self, lang: str = "zh") -> str:
        """The loaded rows with notes, counted by kind ('' when none)."""
        if not self.note_counts:
            return ""
        items = t("load.notes_sep", lang).join(
            t("load.note_count", lang, label=t(f"load.note_kind.{k}", lang), count=n) for k, n in self.note_counts.items()
        )
        return t("load.notes", lang, items=items)

    def datum_text(self, lang: str = "zh") -> str:
        """Which datum the coordinates were read in, and why ('' when :attr:`datum_reason` is None)."""
        if not self.datum_reason:
            return ""
        service = t(f"load.service.{self.service}", lang) if self.service else ""
        text = t(f"load.datum_{self.datum_reason}", lang, datum=t(f"load.crs.{self.coord_system}", lang), service=service)
        if self.has_row_datum:
            text = t("load.sep", lang).join([text, t("load.datum_rows", lang)])
        return text

    def rejected_view(self, lang: str = "zh") -> pd.DataFrame:
        """The rejected rows with one reason column in ``lang``."""
        reason = choose({"zh": self.rejected["reason"], "en": self.rejected["reason_en"]}, lang)
        rest = self.rejected.drop(columns=["row", "reason_key", "reason", "reason_en"])
        head = pd.DataFrame({t("load.col_row", lang): self.rejected["row"], t("load.col_reason", lang): reason})
        return pd.concat([head, rest], axis=1)


def note_counts(notes: pd.Series) -> dict[str, int]:
    """Rows with at least one note of each kind, in the order the kinds first occur."""
    counts: Counter[str] = Counter()
    for ns in notes:
        counts.update({_NOTE_KINDS[k] for k, _ in ns if k in _NOTE_KINDS})
    return dict(counts)


@dataclass
class CombinedResult(LoadResult):
    """Several files of one kind loaded as one layer (a bureau's registry plus a map-service export …).

    ``layer`` and ``rejected`` hold every file's rows with a ``source_file``
    column; ``parts`` keeps each file's own result, whose summaries (datum,
    warnings) are listed one per line.
    """

    parts: list[LoadResult] = field(default_factory=list)

    def summary(self, lang: str = "zh") -> str:
        """Each file's summary, one per line."""
        return "\n".join(part.summary(lang) for part in self.parts)


def combine_results(results: list[LoadResult]) -> LoadResult:
    """One layer from several files of the same kind; a single result is returned as it is.

    Every row keeps its file in ``source_file``; ids repeated across files
    are made unique by prefixing the file's name (``amap.csv:B0FF1``).
    """
    if len(results) == 1:
        return results[0]
    kind = results[0].kind
    if any(r.kind.name != kind.name for r in results):
        raise ValueError("combine_results: every result must be of the same kind")
    seen: set[str] = set()
    layers, rejected = [], []
    for r in results:
        layer = r.layer.assign(source_file=r.source)
        ids = layer["id"].astype(str)
        clash = ids.isin(seen).to_numpy()
        layer.loc[clash, "id"] = [f"{r.source}:{i}" for i in ids[clash]]
        seen.update(layer["id"].astype(str))
        layers.append(layer)
        rejected.append(r.rejected.assign(source_file=r.source))
    layer = gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), geometry="geometry", crs=results[0].layer.crs)
    counts: Counter[str] = Counter()
    for r in results:
        counts.update(r.note_counts)
    return CombinedResult(
        kind=kind,
        layer=layer,
        rejected=pd.concat(rejected, ignore_index=True),
        source=" + ".join(r.source for r in results),
        warnings=[w for r in results for w in r.warnings],
        note_counts=dict(counts),
        parts=list(results),
    )
