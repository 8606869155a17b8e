"""Chainlit's page links Google Fonts and a KaTeX stylesheet on a CDN; the app serves it without them.

The page then uses the browser's own sans-serif font and loads only what the local server serves.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"(?:https?:)?//[^\"]*\"[^>]*/?>\s*", re.IGNORECASE | re.DOTALL)
_EXTERNAL_META = re.compile(r"<meta\b[^>]*\bcontent=\"https?://[^\"]*\"[^>]*>\s*", re.IGNORECASE)


def strip_external(html: str) -> str:
    return _EXTERNAL_META.sub("", _EXTERNAL_LINK.sub("", html))


def install() -> None:
    """Wrap chainlit's page template so every page it serves is stripped of remote assets."""
    from chainlit import server

    original: Callable[[str], str] = server.get_html_template
    if getattr(original, "hyperjourney_offline", False):
        return

    def offline_template(root_path: str) -> str:
        return strip_external(original(root_path))

    offline_template.hyperjourney_offline = True  # type: ignore[attr-defined]
    server.get_html_template = offline_template
