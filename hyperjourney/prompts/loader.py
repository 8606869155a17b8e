"""Load a prompt file by name; its sha256 is the version recorded on every step that uses it.

A placeholder named ``$untrusted_<name>`` carries customer text: it only accepts a fenced value (anything
with a ``block()`` method, i.e. ``guardrails.fence.FencedText``), so no call site can hand a customer's words
to a model unfenced. The loader sits below the guardrails layer, hence the protocol instead of the import.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from string import Template
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

UNTRUSTED_PREFIX = "untrusted_"


@runtime_checkable
class Fenced(Protocol):
    def block(self) -> str: ...


class UnfencedTextError(TypeError):
    pass


class Prompt(BaseModel):
    name: str
    text: str
    sha256: str

    @property
    def version(self) -> str:
        return self.sha256[:12]

    @property
    def untrusted_slots(self) -> list[str]:
        """The placeholders that carry customer text and must be filled with a fenced value."""
        return sorted(n for n in Template(self.text).get_identifiers() if n.startswith(UNTRUSTED_PREFIX))

    def render(self, **values: object) -> str:
        """Fill ``$name`` placeholders (``$`` keeps JSON braces in prompts literal); fenced values render as
        their fenced block, and an ``untrusted_`` placeholder refuses anything else."""
        for slot in self.untrusted_slots:
            if slot in values and not isinstance(values[slot], Fenced):
                raise UnfencedTextError(
                    f"prompt {self.name!r}: ${slot} carries customer text and needs guardrails.fence.fence(text), "
                    f"got {type(values[slot]).__name__}"
                )
        return Template(self.text).substitute(
            {k: v.block() if isinstance(v, Fenced) else str(v) for k, v in values.items()}
        )


class UnknownPromptError(ValueError):
    pass


@cache
def load(name: str) -> Prompt:
    path = resources.files("hyperjourney.prompts") / f"{name}.md"
    if not path.is_file():
        raise UnknownPromptError(f"no prompt named {name!r} in hyperjourney/prompts")
    text = path.read_text(encoding="utf-8")
    return Prompt(name=name, text=text, sha256=hashlib.sha256(text.encode()).hexdigest())


def names() -> list[str]:
    folder = resources.files("hyperjourney.prompts")
    return sorted(f.name.removesuffix(".md") for f in folder.iterdir() if f.name.endswith(".md"))
