"""A single-file HTML report with plots (people read plots faster than tables) and a markdown summary."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
from typing import Any

import matplotlib.pyplot as plt

from hyperjourney.evals import splits
from hyperjourney.evals.compare import Comparison
from hyperjourney.evals.results import EvalRun, Series
from hyperjourney.evals.runner import GateReport
from hyperjourney.monitoring.drift import MODERATE, SIGNIFICANT, DriftReport

DRIFT_PLOT_FEATURES = 30  # the most drifted features; the rest are listed in the table


def _svg(fig: plt.Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _plot_series(title: str, series: Series) -> str:
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    if series.kind == "hist":
        ax.hist(series.y, bins=30, color="#4c72b0")
    elif series.kind == "bar":
        ax.bar([str(x) for x in series.x], series.y, color="#4c72b0")
    else:
        xs = [float(x) for x in series.x]
        ax.plot(xs, series.y, marker="o", color="#4c72b0")
        if title.startswith("calibration"):
            ax.plot([0, 1], [0, 1], linestyle="--", color="#999999", label="perfect calibration")
            ax.legend()
    ax.set_title(title)
    ax.set_xlabel(series.x_label)
    ax.set_ylabel(series.y_label)
    ax.grid(alpha=0.3)
    return _svg(fig)


def _plot_trends(runs: Sequence[EvalRun]) -> str:
    """Each metric across the suite's runs, oldest to newest."""
    ordered = sorted(runs, key=lambda r: r.started_at)
    names = sorted({m for r in ordered for m in r.metrics})
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for name in names:
        ax.plot(range(len(ordered)), [r.metrics.get(name, float("nan")) for r in ordered], marker="o", label=name)
    ax.set_xticks(range(len(ordered)), [r.started_at.strftime("%m-%d %H:%M") for r in ordered], rotation=30)
    ax.set_title("metric trends across runs")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1, 0.5))
    return _svg(fig)


def plot_drift(report: DriftReport) -> str:
    """PSI per feature (most drifted first) over the stable / moderate / significant bands."""
    features = sorted(report.features, key=lambda r: r.psi or 0.0, reverse=True)[:DRIFT_PLOT_FEATURES]
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.22 * len(features) + 1)))
    ordered = list(reversed(features))
    names = [r.name + (" (expected)" if r.expected else " (noise)" if r.noise else "") for r in ordered]
    values = [r.psi or 0.0 for r in ordered]
    top = max([*values, SIGNIFICANT * 1.4])
    ax.axvspan(0, MODERATE, color="#4c9f70", alpha=0.12, label=f"stable < {MODERATE}")
    ax.axvspan(MODERATE, SIGNIFICANT, color="#e6a23c", alpha=0.15, label=f"moderate < {SIGNIFICANT}")
    ax.axvspan(SIGNIFICANT, top * 1.05, color="#d9534f", alpha=0.12, label="significant")
    for x in (MODERATE, SIGNIFICANT):
        ax.axvline(x, color="#666666", linestyle="--", linewidth=0.8)
    band = ["#d9534f" if v >= SIGNIFICANT else "#e6a23c" if v >= MODERATE else "#4c72b0" for v in values]
    colors = ["#b0b0b0" if r.expected or r.noise else c for r, c in zip(ordered, band, strict=True)]
    ax.barh(names, values, color=colors)
    ax.set_xlim(0, top * 1.05)
    ax.set_title("drift: PSI per feature, recent vs training window (grey: not counted)")
    ax.set_xlabel("population stability index")
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize="small", loc="lower right")
    return _svg(fig)


def _drift_html(report: DriftReport | None) -> list[str]:
    if report is None:
        return ["<h2>drift</h2><p>not measured with this run</p>"]
    max_psi = "-" if report.max_psi is None else f"{report.max_psi:.3f}"
    parts = [
        "<h2>drift</h2>",
        f"<p>report {html.escape(report.report_id)} · {html.escape(report.reference or 'no reference')} · "
        f"max PSI <b>{max_psi}</b> · {len(report.drifted())} drifted readings</p>",
    ]
    if report.note:
        parts.append(f"<p>{html.escape(report.note)}</p>")
    warnings = report.warnings()
    if warnings:
        parts.append("<ul>" + "".join(f"<li>{html.escape(w)}</li>" for w in warnings) + "</ul>")
    if report.features:
        parts.append(f"<figure>{plot_drift(report)}</figure>")
    rows = [r.cells() for r in report.drifted() or report.readings[:10]]
    parts.append(_table(["signal", "kind", "PSI", "reference", "recent", "level", "compared"], rows))
    return parts


def drift_markdown(report: DriftReport | None) -> list[str]:
    if report is None:
        return ["", "drift: not measured with this run"]
    max_psi = "-" if report.max_psi is None else f"{report.max_psi:.3f}"
    lines = ["", f"drift ({report.report_id}): max PSI {max_psi}, {len(report.drifted())} drifted readings"]
    if report.note:
        lines.append(f"- note: {report.note}")
    lines += [f"- {w}" for w in report.warnings()]
    return lines


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def metric_rows(run: EvalRun) -> tuple[list[str], list[list[str]]]:
    """The run's metrics as table rows: dev beside held-out and their gap for a suite scored on splits."""
    sources = run.context.metric_sources
    table = splits.by_split(run.metrics)
    if not table:
        return ["metric", "value", "source"], [
            [name, _num(value), sources.get(name, "")] for name, value in sorted(run.metrics.items())
        ]
    rows = []
    for name, values in sorted(table.items()):
        dev, held = values.get(splits.DEV), values.get(splits.HELD_OUT)
        gap = None if dev is None or held is None else held - dev
        source = sources.get(splits.metric_key(name, splits.DEV)) or sources.get(
            splits.metric_key(name, splits.HELD_OUT), ""
        )
        rows.append([name, _num(dev), _num(held) if splits.HELD_OUT in run.context.splits else "pending", _num(gap),
                     source])  # fmt: skip
    return ["metric", "dev", "held-out", "gap (held-out - dev)", "source"], rows


def split_notes(run: EvalRun) -> list[str]:
    """Which sets the run scored, with their content hashes, or that the held-out set has not landed."""
    if not run.context.splits:
        return []
    notes = [f"{name} {info.hash} ({info.items} items)" for name, info in sorted(run.context.splits.items())]
    if splits.HELD_OUT not in run.context.splits:
        notes.append("held-out: pending (no held-out set for this suite yet; dev figures are in-sample)")
    return notes


Sample = tuple[str, dict[str, Any]]  # item id, {"input", "output", "cited"}


def _samples_html(samples: Sequence[Sample]) -> list[str]:
    """The outputs themselves beside what they answered and the facts they cited: what a reviewer reads first."""
    if not samples:
        return []
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(item)}</td>"
        f"<td><pre>{html.escape(str(s.get('input', '')))}</pre></td>"
        f"<td><pre>{html.escape(str(s.get('output', '')))}</pre></td>"
        f"<td>{'<br>'.join(html.escape(str(c)) for c in s.get('cited', [])) or '-'}</td>"
        "</tr>"
        for item, s in samples
    )
    head = "<tr><th>item</th><th>ticket / goal</th><th>rendered output</th><th>cited facts</th></tr>"
    table = f"<table class='samples'><thead>{head}</thead><tbody>{rows}</tbody></table>"
    return ["<h2>samples (dev and held-out)</h2>", table]


def baseline_rows(comparison: Comparison) -> list[list[str]]:
    """Metrics that moved since the baseline run, then the context keys (prompts, models, data, splits) that did."""
    rows = [
        ["metric", m.metric, _num(m.a), _num(m.b), "-" if m.delta is None else f"{m.delta:+.4g}"]
        for m in comparison.metrics
        if m.delta is None or abs(m.delta) > 1e-12
    ]
    changed = [c for c in comparison.changes if c.key != "code_version"]
    rows += [["context", c.key, str(c.a)[:60], str(c.b)[:60], ""] for c in changed]
    return rows


def _baseline_html(comparison: Comparison | None) -> list[str]:
    if comparison is None:
        return ["<h2>since the baseline</h2><p>no baseline run pinned for this suite (`eval baseline RUN`)</p>"]
    rows = baseline_rows(comparison)
    title = f"<h2>since the baseline ({html.escape(comparison.a)})</h2>"
    if not rows:
        return [title, "<p>nothing changed</p>"]
    return [title, _table(["what", "name", "baseline", "this run", "Δ"], rows)]


def _judge(run: EvalRun) -> str:
    return f"LLM judge {run.context.judge}" if run.context.judge else "no LLM judge"


def render_html(
    run: EvalRun,
    history: Sequence[EvalRun],
    failures: Sequence[tuple[str, dict[str, object]]],
    gates: GateReport | None,
    samples: Sequence[Sample] = (),
    since_baseline: Comparison | None = None,
) -> str:
    headers, rows = metric_rows(run)
    notes = split_notes(run)
    parts = [
        f"<h1>eval run {html.escape(run.run_id)}</h1>",
        f"<p>suite <b>{html.escape(run.suite)}</b> · tier <b>{run.tier}</b> · "
        f"started {run.started_at:%Y-%m-%d %H:%M:%S %Z} · code {html.escape(run.context.code_version)} · "
        f"dataset {run.context.dataset} · {_judge(run)}</p>",
        "<h2>metrics</h2>",
        *([f"<p>{html.escape(' · '.join(notes))}</p>"] if notes else []),
        _table(headers, rows),
    ]
    if gates is not None:
        parts += [
            "<h2>gates</h2>",
            _table(
                ["metric", "value", "baseline", "result"],
                [
                    [
                        c.metric,
                        "-" if c.value is None else f"{c.value:.4g}",
                        "-" if c.baseline is None else f"{c.baseline:.4g}",
                        ("WARN: " + c.reason) if c.warning else ("pass" if c.ok else "FAIL: " + c.reason),
                    ]
                    for c in gates.checks
                    if c.suite in (run.suite, "drift")
                ],
            ),
        ]
    parts += _samples_html(samples)
    parts += _baseline_html(since_baseline)
    parts += _drift_html(run.drift)
    parts.append("<h2>plots</h2><div class='plots'>")
    if len(history) > 1:
        parts.append(f"<figure>{_plot_trends(history)}</figure>")
    for name, series in sorted(run.series.items()):
        parts.append(f"<figure>{_plot_series(name, series)}</figure>")
    parts.append("</div>")
    if failures:
        parts += [
            "<h2>failed items</h2>",
            _table(["item", "why"], [[item, str(detail)] for item, detail in failures]),
        ]
    style = (
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse}"
        "td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}"
        ".plots{display:flex;flex-wrap:wrap;gap:1rem}pre{white-space:pre-wrap;margin:0;max-width:28rem}"
    )
    body = "\n".join(parts)
    title = html.escape(run.run_id)
    head = f"<meta charset='utf-8'><title>{title}</title><style>{style}</style>"
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def render_markdown(
    run: EvalRun, gates: GateReport | None, samples: Sequence[Sample] = (), since_baseline: Comparison | None = None
) -> str:
    lines = [
        f"# eval run `{run.run_id}`",
        "",
        f"suite **{run.suite}**, tier **{run.tier}**, {_judge(run)}",
        "",
    ]
    lines += [f"- {note}" for note in split_notes(run)]
    headers, rows = metric_rows(run)
    lines += ["", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if gates is not None:
        mine = [c for c in gates.checks if c.suite in (run.suite, "drift")]
        failing = [c for c in mine if not c.ok]
        lines += ["", "gates: " + ("all pass" if not failing else f"{len(failing)} failing")]
        lines += [f"- {c.metric}: {c.reason}" for c in failing]
        lines += [f"- warning {c.suite}.{c.metric}: {c.reason}" for c in mine if c.warning]
    if since_baseline is not None:
        moved = baseline_rows(since_baseline)
        lines += ["", f"since the baseline {since_baseline.a}: " + (f"{len(moved)} changes" if moved else "nothing")]
        lines += [f"- {what} {name}: {a} → {b} {delta}".rstrip() for what, name, a, b, delta in moved[:15]]
    for item, s in samples:
        said, wrote = str(s.get("input", ""))[:160], str(s.get("output", ""))[:240]
        lines += ["", f"sample {item}:", f"  in:  {said!r}", f"  out: {wrote!r}"]
    lines += drift_markdown(run.drift)
    return "\n".join(lines) + "\n"
