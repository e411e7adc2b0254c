"""The dashboard: listings scanned, flagged and removed per week, by category and language;
reports and their outcome; time from flag to decision. Figures come from
:func:`keepwild.service.metrics.metrics`; charts are inline SVG drawn by a template macro, so
nothing is fetched from elsewhere."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from keepwild.service.metrics import metrics
from keepwild.web.pages import Page, need, render

router = APIRouter(include_in_schema=False)
Analyst = Annotated[Page, Depends(need("metrics"))]


def weekly(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per week: listings scanned (every verdict), flagged (block or review) and removed."""
    return [{"week": row["week"], "scanned": sum(v for k, v in row.items() if k != "week"),
             "flagged": row.get("block", 0) + row.get("review", 0)} for row in rows]


def series(rows: list[dict[str, Any]], column: str) -> list[tuple[Any, int]]:
    return [(row["start"], row[column]) for row in rows]


def ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@router.get("/dashboard")
def dashboard(current: Analyst, weeks: Annotated[int, Query(ge=1, le=104)] = 12) -> Response:
    rt = current.rt
    with rt.db.session() as session:
        figures = metrics(session, rt.db.dialect, rt.now(), weeks)
    removed = {row["week"]: row.get("remove", 0) for row in figures["decisions"]["by_week"]}
    weeks_table = [{**row, "removed": removed.get(row["week"], 0)}
                   for row in weekly(figures["listings"]["by_week"])]
    for week, count in removed.items():
        if week not in {row["week"] for row in weeks_table}:
            weeks_table.append({"week": week, "scanned": 0, "flagged": 0, "removed": count})
    weeks_table.sort(key=lambda row: row["week"])
    for row in weeks_table:
        row["start"] = datetime.fromisoformat(str(row["week"])[:10])
    return render(current, "dashboard.html", m=figures, weeks=weeks_table, span=weeks,
                  ranked=ranked, series=series)
