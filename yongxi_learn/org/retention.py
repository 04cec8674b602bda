"""Retention of personal data: people deactivated more than N years ago
(PRIVACY_RETENTION_YEARS, 3 by default) are anonymised by
``flask --app yongxi_learn privacy purge`` (a dry run unless ``--apply``).

The person's row stays, so every figure keeps its counts (enrolments, attempts,
sign-ins, readings point at it): the name becomes 已注销人员#<id>, the phone a
placeholder that is no phone and cannot log in (X and the id), the password, post,
roles and login details are dropped; ``signals.person_anonymised`` lets the layers above
clear what they hold (login addresses, sign-in device cookies, 学习心得, 意见建议
texts). Audit records are
kept as they are (a legal record; they may name the person); the purge adds one
audit record with the count, no names.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..core.time import local_today
from ..extensions import db
from . import audit, signals
from .models import User
from .names import pinyin_key

PLACEHOLDER_PREFIX = "X"  # a phone is 11 digits: this never is one, nor logs in
NAME_PREFIX = "已注销人员#"
BATCH = 200

privacy_cli = AppGroup("privacy", help="个人信息保存期限。")


def placeholder_phone(person_id: int) -> str:
    return f"{PLACEHOLDER_PREFIX}{person_id:010d}"


def is_anonymised(person: User) -> bool:
    return person.phone == placeholder_phone(person.id)


def cutoff(today: date, years: int) -> date:
    """The day before which a deactivation is older than ``years`` years."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def due_select(before: date) -> sa.Select:
    """The ids of people deactivated before ``before`` and not yet anonymised. People
    made inactive with no date (active_until empty) are not taken: their age is unknown."""
    return (
        sa.select(User.id)
        .where(
            User.active.is_(False),
            User.active_until.is_not(None),
            User.active_until < before,
            User.phone.not_like(f"{PLACEHOLDER_PREFIX}%"),
        )
        .order_by(User.id)
    )


def anonymise(person: User) -> None:
    """Anonymise one person in the current transaction (the caller commits)."""
    person.name = f"{NAME_PREFIX}{person.id}"
    person.name_sort = pinyin_key(person.name)
    person.phone = placeholder_phone(person.id)
    person.password_hash = None
    person.must_change_password = True
    person.post = ""
    person.failed_logins, person.locked_until = 0, None
    person.last_login_at, person.last_login_device = None, ""
    person.password_changed_at = None
    person.grants.clear()
    signals.person_anonymised.send(person)
    db.session.flush()


@dataclass
class Purge:
    before: date
    ids: list[int]


def plan(years: int, today: date) -> Purge:
    before = cutoff(today, years)
    return Purge(before, list(db.session.scalars(due_select(before))))


def apply(purge: Purge, *, track: Callable[[Iterable], Iterable] = iter) -> int:
    """Anonymise the planned people, a batch per transaction (what is done stays done),
    then record one audit entry with the count. Returns the count."""
    done = 0
    batches = [purge.ids[i : i + BATCH] for i in range(0, len(purge.ids), BATCH)]
    for batch in track(batches):
        for person in db.session.scalars(sa.select(User).where(User.id.in_(batch))):
            anonymise(person)
            done += 1
        db.session.commit()
    audit.record(
        "privacy.purge",
        address="cli",
        detail=f"停用早于{purge.before:%Y-%m-%d}的人员{done}人已匿名化",
    )
    db.session.commit()
    return done


@privacy_cli.command("purge")
@click.option(
    "--years", type=click.IntRange(min=1), help="停用满几年（默认 PRIVACY_RETENTION_YEARS）"
)
@click.option("--apply", "do_apply", is_flag=True, help="实际匿名化（默认只列出将处理的人员）")
def purge_command(years, do_apply):
    """Anonymise people deactivated more than N years ago (a dry run without --apply)."""
    years = years or int(current_app.config["PRIVACY_RETENTION_YEARS"])
    purge = plan(years, local_today())
    when = f"{purge.before:%Y-%m-%d}之前停用（满{years}年）"
    if not purge.ids:
        click.echo(f"没有{when}且未匿名化的人员，未做改动。")
        return
    if not do_apply:
        click.echo(f"试运行：{when}的人员共{len(purge.ids)}人，将被匿名化：")
        for person in db.session.scalars(sa.select(User).where(User.id.in_(purge.ids[:50]))):
            click.echo(
                f"  #{person.id} {person.name}（{person.unit.name}，停用于{person.active_until}）"
            )
        if len(purge.ids) > 50:
            click.echo(f"  ……另有{len(purge.ids) - 50}人")
        click.echo("未做改动；加 --apply 执行。")
        return

    done = apply(purge, track=_bar)
    click.echo(f"已匿名化{done}人（{when}）；统计数字不变，操作日志已记录。")


def _bar(batches):
    with click.progressbar(batches, label="匿名化（每批200人）") as bar:
        yield from bar
