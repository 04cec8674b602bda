"""``flask stats export``: the same files as the dashboard's downloads, for cron."""

import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog

from .helpers import SAME_FIGURES, csv_dicts, dashboard_figures, pick, sheet_dicts, workbook

COMPARED = list(SAME_FIGURES.values())


def test_cli_csv_is_the_dashboards_csv(scenario, runner, admin, login, client, tmp_path):
    out = tmp_path / "figures.csv"
    args = ["stats", "export", "--year", "2024", "--unit", "雍溪镇", "--format", "csv"]
    result = runner.invoke(args=[*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已导出" in result.output
    login(admin)
    assert out.read_bytes() == client.get("/stats/export.csv?year=2024").get_data()


def test_cli_xlsx_has_the_dashboards_numbers(scenario, runner, admin, login, client, tmp_path):
    out = tmp_path / "figures.xlsx"
    args = ["stats", "export", "--year", "2024", "--unit", "雍溪镇", "--out", str(out)]
    result = runner.invoke(args=[*args, "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    login(admin)
    shown = dashboard_figures(client.get("/stats/?year=2024").get_data(as_text=True))
    book = workbook(out.read_bytes())
    assert pick(sheet_dicts(book["汇总"]), COMPARED) == shown
    assert len(sheet_dicts(book["明细"])) == 8
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "stats.export"))
    assert entry.address == "cli" and entry.actor_id is None


def test_cli_exports_one_exam_for_a_village(scenario, runner, admin, login, client, tmp_path):
    out = tmp_path / "exam.csv"
    village = scenario.tree["village"]
    args = ["stats", "export", "--exam", str(scenario.formal.id), "--unit", "石佛村"]
    result = runner.invoke(args=[*args, "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    login(admin)
    url = f"/stats/exams/{scenario.formal.id}?unit={village.id}"
    shown = dashboard_figures(client.get(url).get_data(as_text=True))
    assert pick(csv_dicts(out.read_bytes()), COMPARED) == shown


def test_cli_refuses_an_unknown_or_ambiguous_unit(scenario, runner, make_unit, tmp_path):
    from yongxi_learn.org.models import UnitKind

    out = str(tmp_path / "x.csv")
    result = runner.invoke(
        args=["stats", "export", "--year", "2024", "--unit", "无此单位", "--out", out]
    )
    assert result.exit_code != 0 and "没有名为“无此单位”的单位" in result.output
    make_unit("石佛村", UnitKind.VILLAGE, scenario.tree["other_town"])
    result = runner.invoke(
        args=["stats", "export", "--year", "2024", "--unit", "石佛村", "--out", out]
    )
    assert result.exit_code != 0 and "请改用编号" in result.output


def test_cli_needs_a_year_or_an_exam(scenario, runner, tmp_path):
    result = runner.invoke(
        args=["stats", "export", "--unit", "雍溪镇", "--out", str(tmp_path / "x.xlsx")]
    )
    assert result.exit_code != 0 and "--year" in result.output


def test_cli_shows_progress_on_long_lists(scenario, runner, tmp_path, monkeypatch):
    from yongxi_learn.stats import cli

    monkeypatch.setattr(cli, "PROGRESS_FROM", 1)
    out = str(tmp_path / "x.xlsx")
    result = runner.invoke(
        args=["stats", "export", "--year", "2024", "--unit", "雍溪镇", "--out", out]
    )
    assert result.exit_code == 0, result.output
    assert "写入明细" in result.output
