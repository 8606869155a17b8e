"""Load a prompt file by name; its sha256 is the version recorded on every step that uses it."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from string import Template

from pydantic import BaseModel


class Prompt(BaseModel):
    name: str
    text: str
    sha256: str

    @property
    def version(self) -> str:
        return self.sha256[:12]

    def render(self, **values: object) -> str:
        """Fill ``$name`` placeholders (``$`` keeps JSON braces in prompts literal)."""
        return Template(self.text).substitute({k: str(v) for k, v in values.items()})


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
