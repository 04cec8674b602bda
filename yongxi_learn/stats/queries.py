"""The one place the figures are computed (DESIGN §3). Dashboards, downloads, the
report and the CLI call these functions and nothing else.

Each domain keeps its queries in its own module here; this module is the interface.
"""

from .common import NO_FIGURE, Rate

__all__ = ["NO_FIGURE", "Rate"]
