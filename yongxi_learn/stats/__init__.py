"""The figures (统计口径, DESIGN §3): computed in one place, ``stats.queries``."""
