"""hyperjourney: multi-agent customer journeys and support, grounded, under policy, self-hosted."""

from hyperjourney import offline as _offline  # noqa: F401  (must run before any dependency is imported)

__version__ = "0.1.0"
