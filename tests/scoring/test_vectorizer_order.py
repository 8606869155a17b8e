"""Artifacts round-trip through jsonb, which reorders object keys; the column layout must not depend on key order."""

from __future__ import annotations

from hyperjourney.scoring.vectorize import Vectorizer


def test_column_layout_survives_reordered_levels() -> None:
    rows = [
        {"business": "saas_b2b", "lifecycle_stage": "customer", "company_size": "51-200"},
        {"business": "shop", "lifecycle_stage": "lead", "company_size": None},
    ]
    fitted = Vectorizer.fit(rows)
    reordered = Vectorizer(dict(reversed(list(fitted.levels.items()))))
    assert list(reordered.levels) != list(fitted.levels)
    assert reordered.columns == fitted.columns
    assert (reordered.transform(rows) == fitted.transform(rows)).all()
