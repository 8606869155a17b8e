"""Literal gates for the signal patterns: skip a regular expression that cannot match before running it.

Python's regex engine tries every alternative of a pattern at every position of the text, and the signal
patterns have hundreds of alternatives in sixteen languages: running them all on every window of every view was
most of what a scan cost (2.7 ms a ticket on the dev set). Nearly every pattern needs one of a few literal
strings to match (the stem of a verb, an object, a keyword), so each pattern gets the set of lowercase literals
one of each set any match must contain, read from the pattern's own parse tree; a window holding none of them is
not searched. The gate is exact for ASCII text; a pattern whose literals cannot be read is always run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_p  # type: ignore[attr-defined]
from typing import Any


def needed(pattern: re.Pattern[str]) -> list[frozenset[str]]:
    """Sets of lowercase literals such that every match of ``pattern`` contains one literal of each set (a verb
    and an object for a verb-near-object pattern); empty when nothing is known, and then the pattern always runs."""
    return _useful(_needs(sre_p.parse(pattern.pattern, pattern.flags)))


def _useful(needs: list[frozenset[str]]) -> list[frozenset[str]]:
    """Drop sets holding a literal found in nearly any text (a space, a colon, one Latin letter)."""
    return [s for s in needs if all(len(lit.strip()) >= 2 or not lit.isascii() for lit in s)]


def _needs(seq: Any) -> list[frozenset[str]]:
    """What every match of a parsed sequence needs: each run of literals, and what each mandatory group,
    repetition or branch needs (for a branch: the union, set by set, of what its alternatives need)."""
    out: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in seq:
        if op is sre_c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            out.append(frozenset({"".join(run).lower()}))
            run = []
        if op is sre_c.SUBPATTERN:
            out += _needs(av[-1])
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT) and av[0] >= 1:
            out += _needs(av[2])
        elif op is sre_c.BRANCH:
            alternatives = [sorted(_useful(_needs(alt)), key=sorted) for alt in av[1]]
            common = min(len(a) for a in alternatives)
            out += [frozenset().union(*(a[i] for a in alternatives)) for i in range(common)]
    if run:
        out.append(frozenset({"".join(run).lower()}))
    return out


def grouped(source: str) -> str:
    """The pattern with its top-level alternatives that start with ``\\b`` gathered behind one ``\\b``: the engine
    then rules out a position inside a word once, not once per alternative (three times faster on the longest
    patterns). Matches are the same but for which of two alternatives matching at one position wins."""
    alternatives = _top_level(source)
    bounded = [a.removeprefix(r"\b") for a in alternatives if a.startswith(r"\b")]
    if len(bounded) < 2:
        return source
    rest = [a for a in alternatives if not a.startswith(r"\b")]
    return "|".join([rf"\b(?:{'|'.join(bounded)})", *rest])


def _top_level(source: str) -> list[str]:
    """``source`` split at the ``|`` outside any group or character class."""
    parts: list[str] = []
    depth, in_class, escaped, start = 0, False, False, 0
    for i, ch in enumerate(source):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]" or source[i - 1] == "["
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
    return [*parts, source[start:]]


class Gated:
    """A compiled pattern and its literal gate: the sets of literals it needs."""

    __slots__ = ("gate", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = re.compile(grouped(pattern.pattern), pattern.flags)
        self.gate = needed(pattern)

    def passes(self, present: frozenset[str]) -> bool:
        """Whether ``present`` (the literals of a text, LiteralIndex.present) holds one literal of every set: if
        not, the pattern cannot match and is not run."""
        return not any(map(present.isdisjoint, self.gate))


class LiteralIndex:
    """Every gate literal of every pattern in one regular expression shaped as a trie (``ab(?:c|d)``): one pass
    over the text finds, at each position, the longest literal starting there, and the shorter literals that are
    its prefixes follow from it. A hundred separate literal searches a view cost more than the patterns they
    saved."""

    def __init__(self, gated: Iterable[Gated]) -> None:
        literals = {lit for g in gated for needs in g.gate for lit in needs}
        self._find = re.compile(f"(?=({_trie(sorted(literals))}))")
        self._prefixes = {
            lit: frozenset(lit[:n] for n in range(1, len(lit) + 1) if lit[:n] in literals) for lit in literals
        }

    def present(self, lowered: str) -> frozenset[str]:
        """The literals found in ``lowered`` (the text lowercased)."""
        return frozenset().union(*(self._prefixes[lit] for lit in set(self._find.findall(lowered))))


def _trie(words: list[str]) -> str:
    """An alternation of ``words`` as a trie, longer continuations tried first."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _branch(root)


def _branch(node: dict[str, Any]) -> str:
    alternatives = [re.escape(ch) + _branch(child) for ch, child in sorted(node.items()) if ch]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
    if "" in node:
        return f"(?:{body})?"
    return body
