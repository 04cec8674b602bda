"""The one place the figures are computed (DESIGN §3). Dashboards, downloads, the
report and the CLI call these functions and nothing else.

Each domain keeps its queries in its own module of this package; this module is the
interface the rest of the platform imports.
"""

from .common import NO_FIGURE, Rate
from .exam_lists import *  # noqa: F403
from .exams import *  # noqa: F403
from .laws import *  # noqa: F403
from .study import *  # noqa: F403
from .training import *  # noqa: F403

__all__ = ["NO_FIGURE", "Rate"]  # the modules' own names come with their __all__
