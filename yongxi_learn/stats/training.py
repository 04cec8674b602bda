"""Figures of the training feature (DESIGN §3); exported through stats.queries."""

__all__: list[str] = []
