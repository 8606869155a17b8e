"""The bench table is read in CI logs and pasted into notes: piped, each figure must stay on one line."""

from __future__ import annotations

import io
import sys

import pytest

from bench.report import Figure, print_table


def test_piped_table_keeps_each_figure_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stdout", piped)
    name = "knowledge hybrid search p95 @ 100k chunks (vector + keyword, reciprocal rank fusion)"
    print_table([Figure(name, 29.6, "ms", "< 50 ms", baseline=272.0, higher_is_better=False, meets_target=True)])
    out = piped.getvalue()
    row = next(line for line in out.splitlines() if name in line)
    assert "29.6 ms" in row and "< 50 ms" in row and "yes" in row
