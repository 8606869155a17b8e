"""A regular package, so `tests.*` imports win over the `tests` package that literalai ships."""
