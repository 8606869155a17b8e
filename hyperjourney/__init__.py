"""hyperjourney: multi-agent customer journeys and support, grounded, under policy, self-hosted."""

__version__ = "0.1.0"
