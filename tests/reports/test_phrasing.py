"""The report's habits for numbers, as in the town's 2024 report."""

from decimal import Decimal

import pytest

from yongxi_learn.core.formatting import Rate
from yongxi_learn.org.models import Category, UnitKind
from yongxi_learn.reports import phrasing


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (8, "8"),
        (99, "99"),
        (100, "100"),
        (207, "200余"),
        (257, "200余"),
        (300, "300"),
        (1250, "1200余"),
        (8321, "8300余"),
        (23456, "23000余"),
    ],
)
def test_counts_of_100_or_more_keep_their_leading_digits_and_add_yu(count, text):
    assert phrasing.approx(count) == text


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (Rate(91, 91), "100%"),
        (Rate(84, 91), "92.3%"),
        (Rate(1, 3), "33.3%"),
        (Rate(1, 2), "50%"),
        (Rate(0, 5), "0%"),
        (Rate(0, 0), "—"),
    ],
)
def test_percentages_have_one_decimal_at_most(rate, text):
    assert phrasing.percent(rate) == text


def test_both_rates_at_100_read_jun_da():
    assert (
        phrasing.rates_pair("参考率", Rate(5, 5), "通过率", Rate(5, 5)) == "参考率及通过率均达100%"
    )
    assert (
        phrasing.rates_pair("参考率", Rate(9, 10), "通过率", Rate(9, 9)) == "参考率90%，通过率100%"
    )


def test_full_coverage_is_said_only_when_true():
    assert phrasing.coverage(Rate(60, 60)) == "全覆盖"
    assert phrasing.coverage(Rate(59, 60)) == "覆盖率98.3%"


DISTRICT_WORDS = (
    "区",
    "区",
    "区、镇（街道）、村（社区）干部",
    "区和镇（街道）领导班子成员",
    "全区",
)
COUNTY_WORDS = (
    "县",
    "县",
    "县、乡镇（街道）、村（社区）干部",
    "县和乡镇（街道）领导班子成员",
    "全县",
)


@pytest.mark.parametrize(
    ("name", "kind", "words"),
    [
        ("雍溪镇", UnitKind.TOWN, ("镇", "镇", "镇村（社区）干部", "镇领导班子成员", "")),
        ("龙岗街道", UnitKind.TOWN, ("街道", "街", "街道、村（社区）干部", "街道领导班子成员", "")),
        ("珠溪乡", UnitKind.TOWN, ("乡", "乡", "乡村（社区）干部", "乡领导班子成员", "")),
        ("大足区", UnitKind.DISTRICT, DISTRICT_WORDS),
        ("示例县", UnitKind.DISTRICT, COUNTY_WORDS),
        ("示例辖区", UnitKind.DISTRICT, DISTRICT_WORDS),
        ("城区片区", UnitKind.TOWN, DISTRICT_WORDS),
        ("示范单位", UnitKind.DISTRICT, DISTRICT_WORDS),
        ("示范单位", UnitKind.TOWN, ("镇", "镇", "镇村（社区）干部", "镇领导班子成员", "")),
    ],
)
def test_a_report_names_the_level_its_unit_speaks_for(name, kind, words):
    assert tuple(phrasing.place(name, kind)) == words


VIL, OFF, TOWN = UnitKind.VILLAGE, UnitKind.OFFICE, UnitKind.TOWN
LEADER, OFFICIAL, CADRE = Category.LEADER, Category.OFFICIAL, Category.VILLAGE_CADRE
E = phrasing.Enrolled


@pytest.mark.parametrize(
    ("groups", "whole", "text"),
    [
        (
            [E("石佛村", VIL, CADRE, 4), E("红岩村", VIL, CADRE, 2)],
            set(),
            "石佛村、红岩村6名“两委”干部",
        ),
        (
            [
                E("雍溪镇", TOWN, LEADER, 9),
                E("党政办", OFF, OFFICIAL, 30),
                E("石佛村", VIL, CADRE, 7),
            ],
            set(Category),
            "全镇领导干部、机关干部和1个村（社区）“两委”干部",
        ),
        (
            [E("党政办", OFF, OFFICIAL, 3), *(E(f"{i}村", VIL, CADRE, 5) for i in range(8))],
            {CADRE},
            "党政办3名机关干部和全镇8个村（社区）“两委”干部",
        ),
        ([E(f"科室{i}", OFF, OFFICIAL, 2) for i in range(5)], set(), "5个科室（站所）10名机关干部"),
        (
            [E("雍溪镇", TOWN, LEADER, 2), E("党政办", OFF, LEADER, 1)],
            set(),
            "雍溪镇、党政办3名领导干部",
        ),
    ],
)
def test_an_exams_audience_is_named_as_its_enrolment_was(groups, whole, text):
    assert phrasing.audience(groups, place="镇", whole=frozenset(whole)) == text


@pytest.mark.parametrize(
    ("rate", "short"),
    [
        (Rate(0, 5), True),
        (Rate(0, 0), False),  # no figure at all: said nowhere
        (Rate(8, 10), True),
        (Rate(9, 10), False),
        (Rate(8996, 10000), False),  # printed 90%: not under 90
        (Rate(10, 10), False),
    ],
)
def test_a_rate_falls_short_at_zero_or_under_the_threshold(rate, short):
    assert phrasing.falls_short(rate, Decimal(90)) is short
