"""The one place ragas is imported.

ragas 0.4.3 imports ``langchain_community.chat_models.vertexai``, which langchain-community 0.4 removed, so a
plain ``import ragas`` fails beside the rest of our stack (upstream vibrantlabsai/ragas issues 2745 and 2995,
fix not released). Before importing ragas we register a placeholder for that single module; ragas only uses the
class in ``isinstance`` checks, and hyperjourney never talks to Vertex AI. When an upstream release stops needing
it (or langchain-community ships the module again), the real module is found and no placeholder is installed.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

import hyperjourney.offline  # noqa: F401  (RAGAS_DO_NOT_TRACK before ragas reads it)

MISSING_MODULE = "langchain_community.chat_models.vertexai"


class ChatVertexAI:
    """Stands in for the removed class; constructing it says why it is not there."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("Vertex AI chat models are not available: hyperjourney ships no langchain Vertex AI client")


def _module_exists(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        return False
    return True


def install_placeholder() -> bool:
    """Register the placeholder if the real module is missing; True when it was needed."""
    if MISSING_MODULE in sys.modules or _module_exists(MISSING_MODULE):
        return isinstance(sys.modules.get(MISSING_MODULE), _Placeholder)
    sys.modules[MISSING_MODULE] = _Placeholder(MISSING_MODULE)
    return True


class _Placeholder(types.ModuleType):
    ChatVertexAI = ChatVertexAI


def load_ragas() -> types.ModuleType:
    """Import ragas with the compatibility placeholder in place and its usage analytics off."""
    install_placeholder()
    return importlib.import_module("ragas")
