"""The one place the figures are computed (DESIGN §3). Dashboards, downloads, the
report and the CLI call these functions and nothing else.

Each domain keeps its queries in its own module of this package; this module is the
interface the rest of the platform imports, and names each thing it offers.
"""

from ..core.formatting import Rate
from ..study.figures import (
    ItemFigure,
    ReadingFigures,
    StudyListFigures,
    UnitRates,
    reading_figures,
    reading_people_select,
    study_item_figures,
    study_list_figures,
    study_people_select,
)

# The kinds of session the training figures are counted by (TrainingFigures.sessions_of).
from ..training.models import KindCode
from .common import NO_FIGURE
from .exam_lists import (
    NAME_LIST_LABELS,
    Bin,
    NameList,
    item_analysis,
    names_count,
    names_select,
    remark,
    remark_of,
    result_label,
    result_of,
    score_histogram,
)
from .exams import (
    DEFINITIONS,
    AudienceGroup,
    ExamFigures,
    ExamReport,
    UnitRow,
    YearOverview,
    default_year,
    exam_audience,
    exam_family,
    exam_report,
    exam_years,
    formal_exam,
    overdue_at,
    year_overview,
)
from .laws import (
    LawRate,
    weak_laws,
)
from .study import (
    LeaderStudy,
    completion_of,
    leader_study,
    leaders_of,
    lists_covering,
    reading_completion,
)
from .training import (
    KindCount,
    TrainingFigures,
    TrainingGroups,
    TrainingUnitRow,
    training_attendees_select,
    training_by_unit,
    training_coverage,
    training_figures,
    training_groups,
    training_marks_select,
    training_uncovered_select,
    units_reached,
)

__all__ = [
    "DEFINITIONS",
    "NAME_LIST_LABELS",
    "NO_FIGURE",
    "AudienceGroup",
    "Bin",
    "ExamFigures",
    "ExamReport",
    "ItemFigure",
    "KindCode",
    "KindCount",
    "LawRate",
    "LeaderStudy",
    "NameList",
    "Rate",
    "ReadingFigures",
    "StudyListFigures",
    "TrainingFigures",
    "TrainingGroups",
    "TrainingUnitRow",
    "UnitRates",
    "UnitRow",
    "YearOverview",
    "completion_of",
    "default_year",
    "exam_audience",
    "exam_family",
    "exam_report",
    "exam_years",
    "formal_exam",
    "item_analysis",
    "leader_study",
    "leaders_of",
    "lists_covering",
    "names_count",
    "names_select",
    "overdue_at",
    "reading_completion",
    "reading_figures",
    "reading_people_select",
    "remark",
    "remark_of",
    "result_label",
    "result_of",
    "score_histogram",
    "study_item_figures",
    "study_list_figures",
    "study_people_select",
    "training_attendees_select",
    "training_by_unit",
    "training_coverage",
    "training_figures",
    "training_groups",
    "training_marks_select",
    "training_uncovered_select",
    "units_reached",
    "weak_laws",
    "year_overview",
]
