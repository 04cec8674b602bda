"""Command-line tasks: ``flask --app yongxi_learn <command>``."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app

from .core.time import to_local
from .extensions import db
from .org.models import Category

# The district's yearly 学时 targets in the demo, per 人员类别.
DEMO_TARGETS = {
    Category.LEADER: 12,
    Category.OFFICIAL: 6,
    Category.VILLAGE_CADRE: 4,
    Category.LEGAL_LIAISON: 2,
}


def _logins_path() -> Path:
    return Path(current_app.instance_path) / "demo_logins.txt"


@click.command("seed-demo")
def seed_demo():
    """Load the 雍溪镇 demo data (once) and print the demo logins."""
    from .core.time import utcnow

    def track(items, label):
        return click.progressbar(items, label=label)

    logins = load_demo(_logins_path(), now=utcnow(), track=track, echo=click.echo)
    if not logins:
        click.echo("未找到演示账号密码文件；可用 reset-password 命令重置某个账号的密码。")
        return
    click.echo("演示账号（角色, 姓名, 手机号, 密码）：")
    for login in logins:
        click.echo(f"  {login.role}, {login.name}, {login.phone}, {login.password}")


def load_demo(logins_path: Path, *, now, track, echo) -> list:
    """The demo, dated from ``now``: last year complete (exam with 补考, list, readings,
    sessions, a saved report draft), this year with open work for the demo logins. Each
    part is loaded once and committed; returns the demo logins."""
    from .courses import demo as courses_demo
    from .exams.bank.demo_laws import seed_library
    from .exams.demo import count_external_sheet, seed_exams
    from .external import demo as external_demo
    from .org import seed
    from .org.models import User
    from .org.services import SYSTEM
    from .reminders import demo as reminders_demo
    from .reports import services as reports
    from .stats import credits, thresholds
    from .study import demo as study_demo
    from .training import demo as training_demo

    if seed.is_seeded():
        echo("演示数据已存在，未做改动。")
        logins = seed.read_logins(logins_path)
    else:
        logins = seed.seed(logins_path)
        db.session.commit()
        echo("已载入雍溪镇演示数据（人员、单位均为虚构，仅供演示）。")
    # The demo logins are left this year's work to do: they are who a visitor tries.
    phones = [x.phone for x in logins]
    keep_open = set(db.session.scalars(sa.select(User.id).where(User.phone.in_(phones))))
    town = seed.demo_town()
    # Idempotent on its own, so an installation seeded before exams existed gets them too.
    result = seed_exams(town, now=now, track=track, keep_open=keep_open)
    db.session.commit()
    for line in result.lines():
        echo(line)
    # The law library first: lists and training sessions link the laws they covered.
    for line in seed_library(seed.demo_town(), track=track):
        echo(line)
    db.session.commit()
    for feature in (study_demo, training_demo, external_demo, courses_demo):
        for line in feature.seed(seed.demo_town(), track=track, now=now, keep_open=keep_open):
            echo(line)
        db.session.commit()
    for line in count_external_sheet(seed.demo_town(), now=now):
        echo(line)
    db.session.commit()
    for line in reminders_demo.seed(seed.demo_town(), track=track, now=now):
        echo(line)
    db.session.commit()
    # Last year's thresholds of the district (the town is held to them), then last
    # year's report draft, as the admin's 生成 button writes it.
    town = seed.demo_town()
    year = to_local(now).year - 1
    if town.parent is not None and thresholds.thresholds_for(year, town) is None:
        thresholds.set_thresholds(
            town.parent,
            year,
            participation=95,
            pass_rate=90,
            villages=100,
            leaders_chosen=True,
            actor=SYSTEM,
            now=now,
        )
        db.session.commit()
        echo(f"已设定{town.parent.name}{year}年达标要求。")
    # The district's 学时 targets, last year's and this year's.
    if town.parent is not None:
        for target_year in (year, year + 1):
            if not credits.targets_for(target_year, town):
                credits.set_targets(town.parent, target_year, DEMO_TARGETS, actor=SYSTEM, now=now)
                db.session.commit()
                echo(f"已设定{town.parent.name}{target_year}年学时目标。")
    if reports.get_draft(year, town) is None:
        # url_for needs a request: the figures link to the lists behind them.
        with current_app.test_request_context():
            version = reports.draft(year, town, actor=SYSTEM, now=now)
        db.session.commit()
        echo(f"已生成“{version.title}”第{version.number}稿。")
    return logins


@click.command("reset-password")
@click.argument("phone")
def reset_password_command(phone):
    """Give the account with PHONE a new one-time password and print it."""
    from .org import services
    from .org.models import User
    from .org.names import InvalidValue, normalise_phone

    try:
        phone = normalise_phone(phone)
    except InvalidValue as exc:
        raise click.ClickException(str(exc)) from exc
    user = db.session.scalar(sa.select(User).where(User.phone == phone))
    if user is None:
        raise click.ClickException(f"没有手机号为{phone}的人员")
    password = services.reset_password(user, actor=services.SYSTEM)
    db.session.commit()
    click.echo(f"{user.name} 的新初始密码：{password}（首次登录须修改）")


def register_cli(app: Flask) -> None:
    from .core.backup_cli import backup_command, restore_command
    from .exams.cli import exams_cli
    from .org.audit_cli import audit_cli
    from .org.retention import privacy_cli

    app.cli.add_command(seed_demo)
    app.cli.add_command(reset_password_command)
    app.cli.add_command(exams_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
