"""The inspection 台账 pack of a year and a unit: one ZIP an inspector can check.

    说明.txt                       what is in it and how to check it
    1-报告/<title>（第N稿）.docx   the report section, the version chosen
    2-数字与名单.xlsx              a sheet per figure of its text (figure_sheets)
    3-签到表/NN-<date>-<topic>.docx a 签到表 per training session of the year
    4-免考、补考、补录与更正.xlsx   what was done by hand, with who and when (ledgers)
    manifest.txt                   each file's SHA-256 (``sha256sum -c manifest.txt``)

Every member is built deterministically (one date for the zip entries and the files'
properties: the version's save time; a fixed order; no time of generation anywhere),
so the download and ``flask report pack`` give the same bytes for the same records
and version. Members are built one at a time and streamed.
"""

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime

from ..core import archive
from ..core.spreadsheets import xlsx_bytes
from ..core.time import format_local, to_local
from ..extensions import db
from ..org.models import OrgUnit
from ..reports import gongwen, services, trace
from ..reports.models import ReportVersion
from ..stats.tables import safe_filename
from ..training.models import TrainingSession
from . import figure_sheets, ledgers, records, signin_sheet

MANIFEST = "manifest.txt"


@dataclass(frozen=True)
class Source:
    """The report text a pack is of: a saved version, or (the CLI, when nothing is
    saved) a fresh draft from the records."""

    year: int
    unit: OrgUnit
    title: str
    text: str
    found: list[trace.Found]
    number: int | None  # None: a fresh draft, not saved
    saved_at: datetime | None  # UTC
    notice: str = ""  # the 【核对提示】 of a version the records no longer bear out
    unit_id: int = dataclasses.field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "unit_id", self.unit.id)

    def in_this_session(self) -> "Source":
        """The same with its unit loaded again: a streamed download is built after
        the request's own session has ended, in a session of its own."""
        return dataclasses.replace(self, unit=db.session.get(OrgUnit, self.unit_id))

    @property
    def stamp(self) -> datetime:
        """The date of every member: the version's save time (Beijing), for a fresh
        draft the last day of the year."""
        if self.saved_at is None:
            return datetime(self.year, 12, 31)
        return to_local(self.saved_at).replace(tzinfo=None, microsecond=0)

    @property
    def version_label(self) -> str:
        return f"第{self.number}稿" if self.number else "根据当前记录生成，未保存"


def of_version(version: ReportVersion, *, now: datetime) -> Source:
    record = version.draft
    try:
        found = services.check(version, user=None, now=now).found
    except services.ReportError:
        found = trace.locate(version.text, version.figures)
    notice = services.notice_for(version, user=None, now=now)
    return Source(
        record.year,
        record.unit,
        version.title,
        version.text,
        found,
        version.number,
        version.created_at,
        notice,
    )


def fresh(year: int, unit: OrgUnit, *, now: datetime) -> Source:
    rendered = services.fresh(year, unit, user=None, now=now)
    figures = [f.as_json() for f in rendered.figures]
    found = trace.locate(rendered.text, figures)
    return Source(year, unit, services.title_of(year, unit), rendered.text, found, None, None)


def zip_name(source: Source) -> str:
    mark = "，数字待核" if source.notice else ""
    return (
        safe_filename(
            f"{source.year}年{source.unit.name}学法台账包（{source.version_label}{mark}）"
        )
        + ".zip"
    )


# ---------------------------------------------------------------- members


@dataclass(frozen=True)
class Member:
    name: str
    build: Callable[[], bytes]


def members(source: Source, *, now: datetime) -> list[Member]:
    """The files of the pack in order, each built when it is written (the manifest,
    last, is not among them: ``chunks`` adds it). A member's ``build`` loads what it
    needs itself: it may run in another session than this list was made in."""
    stamp = source.stamp
    sessions = [
        (s.id, signin_sheet.file_name(n, s))
        for n, s in enumerate(records.sessions(source.year, source.unit), start=1)
    ]
    report_name = safe_filename(f"{source.title}（{source.version_label}）")

    def figures() -> bytes:
        here = source.in_this_session()
        scope = figure_sheets.Scope(here.year, here.unit, now)
        sheets = figure_sheets.figure_sheets(here.text, here.found, scope)
        heading = f"{here.title}（{here.version_label}）中的数字及其名单"
        return xlsx_bytes(figure_sheets.sheets(sheets, heading), stamp)

    def sign_in_sheet(session_id: int) -> bytes:
        return signin_sheet.build(db.session.get(TrainingSession, session_id), stamp)

    def ledger() -> bytes:
        return xlsx_bytes(ledgers.sheets(source.year, source.in_this_session().unit, now), stamp)

    wording = gongwen.Wording(source.title, source.text.split("\n"), source.notice)
    return [
        Member("说明.txt", lambda: readme(source.in_this_session(), len(sessions)).encode()),
        Member(f"1-报告/{report_name}.docx", lambda: gongwen.build(wording, stamp=stamp)),
        Member("2-数字与名单.xlsx", figures),
        *(
            Member(f"3-签到表/{safe_filename(name)}", lambda i=session_id: sign_in_sheet(i))
            for session_id, name in sessions
        ),
        Member("4-免考、补考、补录与更正.xlsx", ledger),
    ]


def readme(source: Source, sessions: int) -> str:
    lines = [
        f"{source.year}年{source.unit.name}干部学法台账包",
        "",
        f"报告：{source.title}（{source.version_label}"
        + (f"，{format_local(source.saved_at)}保存" if source.saved_at else "")
        + "）",
    ]
    if source.notice:
        lines.append(source.notice)
    lines += [
        "",
        "1-报告：报告的干部学法部分（公文格式 .docx）。",
        "2-数字与名单.xlsx：报告正文中的每个数字一张表，第一行是该数字所在的句子，"
        "表中名单的行数即得出该数字的人员或记录；“目录”表逐一列出。",
        f"3-签到表：{source.year}年本单位组织的每场集中学习一份签到表（共{sessions}份），"
        "可打印签字盖章。",
        "4-免考、补考、补录与更正.xlsx：免考及原因、补考成绩、管理员补录和撤销的签到、"
        "答案更正及重新评分、纸质试卷答案更正、外部考试成绩计入考试及取消，均注明操作人和时间。",
        f"{MANIFEST}：各文件的SHA-256校验值。核对方法：解压后在本目录运行"
        f" sha256sum -c {MANIFEST}（Windows：certutil -hashfile 文件名 SHA256）。",
        "",
        "各文件中的人员和数字按打包时的记录生成，与平台统计页面的口径一致。",
    ]
    return "\n".join(lines) + "\n"


def manifest(digests: list[tuple[str, str]]) -> bytes:
    """``sha256sum`` format: "<hex>  <name>" a line."""
    return "".join(f"{digest}  {name}\n" for name, digest in digests).encode("utf-8")


def chunks(
    source: Source,
    *,
    now: datetime,
    context: Callable[[], AbstractContextManager] = nullcontext,
) -> Iterator[bytes]:
    """The ZIP file as chunks, one per member built; each member (and the list of
    them) is built inside ``context()``, entered and left between two chunks."""
    out = archive.ZipStream(source.stamp)
    with context():
        planned = members(source.in_this_session(), now=now)
    digests = []
    for member in planned:
        with context():
            data = member.build()
        digests.append((member.name, hashlib.sha256(data).hexdigest()))
        yield out.add(member.name, data)
    yield out.add(MANIFEST, manifest(digests))
    yield out.close()
