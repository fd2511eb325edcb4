"""The summary page: counties ranked on every target, with city and province targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sxgeo.formatting import fmt_status, fmt_value
from sxgeo.outputs import charts
from sxgeo.outputs.tables import localise, to_xlsx_bytes
from sxgeo.report.templates import cell
from sxgeo.text import t

__all__ = ["SummaryPages"]


class SummaryPages:
    """Mixin of :class:`sxgeo.report.builder.ReportBuilder`: the summary page and workbook."""

    def ranking(self, codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
        """One row per county (in ``codes``) and county-level target: value, rank, status.

        Counties are ranked among ``codes`` on each target (best first: highest
        value for ``>=``/``>``, lowest for ``<=``/``<``; ties share the best rank;
        no rank without data, where a rule does not apply, nor on presence rules).
        """
        ev = self.evaluation
        sel = ev[(ev["level"] == "county") & ev["unit_code"].isin(codes) & ev["period"].isna()].copy()
        frames = []
        for tid, sub in sel.groupby("target_id", sort=False):
            tg = self.targets[tid]
            sub = sub.copy()
            # not ranked where the network is too thin, nor where the rule does not apply; a presence
            # rule is met or not (counting more facilities than the rule asks for is no better)
            judged = sub["value"].where(~sub["status"].isin(["no_network", "not_applicable"]) & (not tg.is_presence))
            sub["rank"] = judged.rank(ascending=tg.comparator in ("<=", "<"), method="min").astype("Int64")
            frames.append(sub)
        out = pd.concat(frames, ignore_index=True) if frames else sel.assign(rank=pd.Series(dtype="Int64"))
        out = out.rename(columns={"unit_code": "county_code", "unit_name": "county_name"})
        out["city_name"] = out["county_code"].map(self.county_info["city_name"])
        return out

    def summary(self, codes: list[str] | tuple[str, ...], result=None) -> tuple[str, bytes]:
        """The summary page and workbook for ``codes`` (links to the county reports)."""
        lang = self.lang
        written = result.written if result is not None else {}
        failures = result.failures if result is not None else {}
        rank = self.ranking(codes)
        tids = [tid for tid in self.targets if tid in set(rank["target_id"])]
        judged = rank.assign(status=rank["status"].replace({"no_network": "no_data"}))  # not judged either way
        counts = judged.pivot_table(index="county_code", columns="status", values="target_id", aggfunc="count").reindex(
            index=list(codes), columns=["met", "not_met", "no_data"]
        ).fillna(0).astype(int)
        wide = pd.DataFrame({"county_code": list(codes)})
        wide["county_name"] = wide["county_code"].map(self.county_info["name"])
        wide["city_name"] = wide["county_code"].map(self.county_info["city_name"])
        wide["targets_met"] = counts["met"].to_numpy()
        wide["targets_not_met"] = counts["not_met"].to_numpy()
        wide["targets_no_data"] = counts["no_data"].to_numpy()
        wide = wide.sort_values(["targets_met", "targets_not_met", "county_code"], ascending=[False, True, True])
        wide.insert(0, "rank", wide["targets_met"].rank(ascending=False, method="min").astype(int).to_numpy())
        by = rank.set_index(["county_code", "target_id"])
        townships = self.township_summary(codes)
        tw_ids = [tid for tid in self.targets if tid in set(townships["target_id"])]
        tw_by = townships.set_index(["county_code", "target_id"])
        marks = {tid: t("report.assumption_mark", lang) if self.targets[tid].assumption else "" for tid in self.targets}
        header = [self.tr(k) for k in ("col_rank", "col_county", "col_city", "col_met", "col_not_met")] + [
            self.target_name(t) + marks[t] for t in tids
        ] + [self.tr("townships_column", name=self.target_name(t)) + marks[t] for t in tw_ids]
        body = []
        for rec in wide.itertuples(index=False):
            link = f"counties/{rec.county_code}.html" if rec.county_code in written or not failures.get(rec.county_code) else None
            row = [
                cell(rec.rank, "num"),
                cell(f"{rec.county_name}（{rec.county_code}）", None if link else "failed", link),
                cell(rec.city_name), cell(rec.targets_met, "num"), cell(rec.targets_not_met, "num"),
            ]
            row += [self._rank_cell(by, rec.county_code, tid) for tid in tids]
            row += [self._townships_cell(tw_by, rec.county_code, tid) for tid in tw_ids]
            body.append(row)
        notes = [self.tr("ranking_note"), self.tr("townships_note")]
        if any(marks[tid] for tid in (*tids, *tw_ids)):
            notes.append(t("report.assumption_note", lang, mark=t("report.assumption_mark", lang)))
        ranking_table = {"header": header, "rows": body, "empty": self.tr("empty"), "note": " ".join(notes)}
        for tid in tids:
            wide[self.target_name(tid)] = wide["county_code"].map(
                rank[rank["target_id"] == tid].set_index("county_code")["value"]
            )
            wide[self.tr("rank_column", name=self.target_name(tid))] = wide["county_code"].map(
                rank[rank["target_id"] == tid].set_index("county_code")["rank"]
            )
        for tid in tw_ids:
            sub = townships[townships["target_id"] == tid].set_index("county_code")
            wide[self.tr("townships_column", name=self.target_name(tid))] = wide["county_code"].map(sub["met_share"])
        wide["report"] = [f"counties/{c}.html" if c not in failures else "" for c in wide["county_code"]]
        upper = self._upper_tables(codes)
        sheets = {t("report.sheet_summary", lang): localise(wide, lang)}
        for tid in tids:
            sub = rank[rank["target_id"] == tid].sort_values(["rank", "county_code"], na_position="last")
            cols = ["rank", "county_code", "county_name", "city_name", "value", "threshold", "comparator", "met", "status", "gap"]
            sheets[t("report.sheet_rank", lang, name=self.target_name(tid))] = localise(sub[cols], lang)
        for title, frame in upper:
            sheets[title] = localise(frame.drop(columns=["quantity"], errors="ignore"), lang)
        for kind in self.capacity_results():
            eq = self.equity_table(kind, codes).reset_index().rename(columns={"unit_code": "county_code"})
            sheets[self.tr(f"cap_rank_{kind}")] = localise(eq.round(4), lang)
        if failures:
            sheets[t("report.sheet_failed", lang)] = localise(
                pd.DataFrame({"county_code": list(failures), "error": list(failures.values())}), lang
            )
        area = self.tr("province") if self.scope.level == "province" else self.scope.name
        html = self.templates.get_template("summary.html").render(
            html_lang=self.tr("html_lang"),
            title=self.tr("title_summary", area=area),
            text={k: self.tr(k) for k in ("download", "failed", "ranking", "footer", "chart_met")},
            notices=self.notices(None if self.scope.level == "province" else codes, self.scope.name),
            meta=[(self.tr("counties_in_scope"), str(len(codes))), *self.meta()],
            xlsx="summary.xlsx",
            failures=[f"{c} {self.county_info.at[c, 'name']}：{msg}" for c, msg in failures.items()],
            ranking=ranking_table,
            chart=self.chart_met(rank, tids),
            upper=[{"title": title, "table": self._simple_targets_table(frame)} for title, frame in upper],
            regional=self.regional_summary_section(),
            sections=[*self.capacity_summary_sections(codes), *[s for s in (self.out_of_scope_section(),) if s]],
        )
        return html, to_xlsx_bytes(sheets, lang)

    def _rank_cell(self, by: pd.DataFrame, code: str, tid: str) -> dict:
        """A county's value on a target with its rank; a presence rule's status in words."""
        if (code, tid) not in by.index:
            return cell("—", "no_data")
        r = by.loc[(code, tid)]
        text = fmt_value(r["value"], self.targets[tid].unit, self.lang)
        if r["status"] == "not_applicable" or self.targets[tid].is_presence:
            text = fmt_status(r["status"], self.lang)  # a rule is met or not; its count is in the workbook
        if pd.notna(r["rank"]):
            text += f"（{self.tr('rank_suffix', rank=int(r['rank']))}）"
        return cell(text, r["status"])

    def _townships_cell(self, by: pd.DataFrame, code: str, tid: str) -> dict:
        """A county's townships meeting a township-level target, "m/n"."""
        if (code, tid) not in by.index:
            return cell("—", "no_data")
        r = by.loc[(code, tid)]
        return cell(self.tr("townships_met", met=int(r["met_townships"]), n=int(r["townships"])), r["status"])

    def township_summary(self, codes) -> pd.DataFrame:
        """Per county of ``codes`` and township-level target: townships judged, met, their share and a status.

        Townships a rule does not apply to, or without data, are not judged;
        the status is ``met`` when every judged township meets the target,
        ``not_met`` when some does not and ``no_data`` when none is judged.
        """
        ev = self.evaluation
        sel = ev[(ev["level"] == "township") & ev["period"].isna()
                 & ~ev["status"].isin(["no_data", "no_network", "not_applicable"])].copy()
        sel["county_code"] = sel["unit_code"].astype(str).str[:6]
        sel = sel[sel["county_code"].isin(set(codes))]
        if sel.empty:  # no township judged anywhere in the scope (an empty groupby would lose the column types)
            return pd.DataFrame({"county_code": pd.Series(dtype=object), "target_id": pd.Series(dtype=object),
                                 "townships": pd.Series(dtype=int), "met_townships": pd.Series(dtype=int),
                                 "met_share": pd.Series(dtype=float), "status": pd.Series(dtype=object)})
        out = sel.groupby(["county_code", "target_id"], sort=False).agg(
            townships=("status", "size"), met_townships=("status", lambda s: int((s == "met").sum()))).reset_index()
        out["met_share"] = out["met_townships"] / out["townships"]
        out["status"] = np.where(out["met_townships"] == out["townships"], "met", "not_met")
        return out

    def _upper_tables(self, codes) -> list[tuple[str, pd.DataFrame]]:
        ev = self.evaluation
        cities = set(self.county_info.loc[list(codes), "city_code"])
        out = [(self.tr("city_targets"), ev[(ev["level"] == "city") & ev["unit_code"].isin(cities)])]
        if self.scope.level == "province":
            out.append((self.tr("province_targets"), ev[ev["level"] == "province"]))
        return [(title, frame) for title, frame in out if len(frame)]

    def _simple_targets_table(self, frame: pd.DataFrame) -> dict:
        header = self._target_header()
        body = [self._target_row(r) for _, r in frame.iterrows()]
        return {"header": header, "rows": body, "empty": self.tr("empty"), "note": None}

    def chart_met(self, rank: pd.DataFrame, tids: list[str]) -> str | None:
        """Bar chart (PNG data URI): share of the counties meeting each county-level target."""
        shares, names = [], []
        for tid in tids:
            sub = rank[(rank["target_id"] == tid) & ~rank["status"].isin(["no_data", "no_network", "not_applicable"])]
            if len(sub):
                shares.append(float((sub["status"] == "met").mean()))
                names.append(self.target_name(tid))
        if not names:
            return None
        fig = charts.bar_chart(self.tr("chart_met"), names, np.array(shares), colors=["#1f5fbf"] * len(names), digits=0)
        return charts.to_data_uri(fig)

    def write_summary(self, codes, out_dir: str | Path, result) -> tuple[Path, Path]:
        """Write the summary page (``index.html``) and workbook (``summary.xlsx``) into ``out_dir``; return their paths."""
        html, xlsx = self.summary(codes, result)
        out = Path(out_dir)
        (out / "summary.xlsx").write_bytes(xlsx)
        (out / "index.html").write_text(html, encoding="utf-8")
        return out / "index.html", out / "summary.xlsx"
