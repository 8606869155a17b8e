"""The canvas's answer to an insight question: the metric tool's table in markdown, a bar chart of its measure,
and the catalogue query it ran (the citation), so a marketer can see exactly where each number came from."""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

from hyperjourney.ui.render import md, md_line


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return md(f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}")
    if isinstance(value, int):
        return md(f"{value:,}")
    return md_line(value)


def insight_markdown(insight: dict[str, Any]) -> str:
    """The question, one line in words, the table and the cited query (a note when the data lacks a concept)."""
    table = insight.get("table")
    parts = [f"### {md_line(insight.get('question', ''))}", md(insight.get("summary", ""))]
    if insight.get("note"):
        parts.append(f"*{md(insight['note'])}*")
    if table:
        columns = [str(c) for c in table.get("columns", [])]
        rows = ["| " + " | ".join(md(c.replace("_", " ")) for c in columns) + " |",
                "|" + "|".join(["---", *["---:"] * (len(columns) - 1)]) + "|"]  # fmt: skip
        rows += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.get("rows", [])]
        parts.append("\n".join(rows))
        period = f"{str(table.get('period_start', ''))[:10]} to {str(table.get('period_end', ''))[:10]}"
        parts.append(f"**Source**: catalogue query `{md(table['request']['query'])}`, {md(period)}")
        sql = str(table.get("sql", "")).replace("```", "'''")
        parts.append(f"```sql\n{sql}\n```")
    return "\n\n".join(p for p in parts if p)


def insight_chart(insight: dict[str, Any]) -> str | None:
    """SVG bars of the table's charted measure by group (None when there is nothing to plot)."""
    table = insight.get("table") or {}
    chart, columns, rows = table.get("chart") or {}, table.get("columns") or [], table.get("rows") or []
    if not rows or chart.get("y") not in columns:
        return None
    y = columns.index(chart["y"])
    labels = [str(r[0]) for r in rows][::-1]
    values = [float(r[y] or 0) for r in rows][::-1]
    fig = Figure(figsize=(7.5, 1.2 + 0.35 * len(rows)), dpi=100)
    ax = fig.subplots()
    ax.barh(range(len(values)), values, color="#4c9f70")
    ax.set_yticks(range(len(labels)), labels, fontsize=11)
    ax.set_xlabel(str(chart["y"]).replace("_", " "), fontsize=11)
    ax.set_title(str(chart.get("title", "")), fontsize=13)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return out.getvalue()
