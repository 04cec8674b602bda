"""The 备案 information sheet (.docx): what the platform does, the personal data it holds
and why, how long, how it is protected, and who runs it — the operator and address from
the deployment's settings (OPERATOR_NAME, OPERATOR_CONTACT, SITE_ADDRESS), the counts of
towns and people from the database. It names no person."""

import io
from datetime import datetime

import sqlalchemy as sa
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from ..core.time import format_local
from ..extensions import db
from ..org.models import OrgUnit, UnitKind, User
from ..reports.gongwen import clean
from .promise import PROMISES

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNSET = "（未设置：请由部署方在配置项 {key} 中填写，或在此手工填写）"
FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"

FUNCTIONS = [
    (
        "人员与单位管理：区、镇（街道）、科室站所、村（社区）的组织树，人员按单位管理，权限按单"
        "位范围授予。"
    ),
    (
        "学习清单与阅读任务：年度应知应会法律法规清单（必学、重点、专业选学），阅读任务及“已学"
        "习”确认。"
    ),
    "集中学习：中心组学法、法治讲堂等场次的安排，扫码或动态码签到，管理员补录须写明原因。",
    "考试：题库、正式考试、补考和练习，答案逐题保存，服务器计时，成绩和统计口径统一。",
    (
        "统计与报告：参考率、通过率、覆盖率等按单位统计，名单可下载；起草法治政府建设情况报告中"
        "干部学法部分。"
    ),
    "学法档案：每人每年的学习、培训和考试记录，本人可查看，管理员可按本人申请导出。",
    "意见建议：每位用户可提交投诉或建议（可对本镇匿名），管理员答复，提交人可查看答复。",
]

PERSONAL_DATA = [
    (
        "姓名、手机号",
        "识别人员、以手机号登录；手机号仅本人和管理其单位的管理员可见全号",
        "管理员录入或导入",
    ),
    ("所在单位、人员类别、职务", "确定学习任务、考试的应考范围，按单位统计", "管理员录入或导入"),
    (
        "登录记录（时间、设备类型、失败次数）",
        "登录安全：告知本人上次登录和失败尝试，防止冒用",
        "系统记录",
    ),
    ("登录会话（地址、浏览器标识）", "保持登录、到期退出、异常排查", "系统记录"),
    ("考试答卷与成绩", "考试评分、补考、统计参考率和通过率", "本人作答"),
    ("集中学习签到记录", "统计参训人次和覆盖率", "本人扫码签到或管理员补录（附原因）"),
    ("学习清单选学、学完记录和学习心得", "统计完成情况；心得仅本人及其档案可见", "本人填写"),
    (
        "阅读任务的打开、确认时间和页面可见计时",
        "确认“已学习”；计时仅本人可见，不向管理人员展示，不用于考核",
        "系统记录",
    ),
    ("意见建议及答复", "受理和答复投诉、建议", "本人填写"),
    ("操作日志", "记录谁在何时做了什么（含下载），供审计和追责", "系统记录"),
]

SECURITY = [
    (
        "登录：手机号加密码，密码仅存哈希；初始密码随机且首次登录须修改；连续输错锁定；会话保存"
        "在服务器端，退出、重置密码、停用即失效，空闲超时自动退出。"
    ),
    "权限：按单位范围授权，每项操作在服务端校验；审阅人只读；越权访问返回“页面不存在”。",
    (
        "个人信息：不采集身份证号和人脸等生物特征；手机号对无管理权限者显示为 138****1234；页面"
        "和下载不被浏览器或代理缓存。"
    ),
    "数据传输与存储：生产环境仅接受 HTTPS；数据库文件和备份仅属主可读；密钥不在代码中。",
    (
        "输入与下载：表单均有 CSRF 校验，用户输入一律转义；上传文件先检查大小和结构再解析；表格"
        "下载防公式注入。"
    ),
    (
        "审计：登录、人员与权限变更、考试改动、所有下载和答复均记入操作日志；日志为哈希链，可用"
        " flask audit verify 校验是否被改动，并同步输出到日志系统。"
    ),
]


def _facts() -> tuple[int, int]:
    towns = db.session.scalar(
        sa.select(sa.func.count()).where(OrgUnit.kind == UnitKind.TOWN, OrgUnit.active)
    )
    people = db.session.scalar(sa.select(sa.func.count()).where(User.active))
    return int(towns or 0), int(people or 0)


def _setting(config, key: str) -> str:
    value = clean(str(config.get(key) or "")).strip()
    return value or UNSET.format(key=key)


def sheet_docx(config, *, now: datetime) -> bytes:
    document = Document()
    _fonts(document)
    towns, people = _facts()
    title = document.add_paragraph()
    title.alignment = 1
    _run(title, "政务应用程序备案信息表", HEADING_FONT, Pt(22))
    _para(document, f"应用名称：干部学法平台（生成时间：{format_local(now)}）")

    _heading(document, "一、运营单位")
    _table(
        document,
        ("项目", "内容"),
        [
            ("运营单位", _setting(config, "OPERATOR_NAME")),
            ("联系人及联系方式", _setting(config, "OPERATOR_CONTACT")),
            ("访问地址", _setting(config, "SITE_ADDRESS")),
            ("形态", "网页应用（手机浏览器、微信内置浏览器、电脑均可访问），无需安装"),
            ("服务范围", f"在用镇（街道）{towns}个，在岗人员{people}人"),
        ],
    )
    _heading(document, "二、主要功能")
    for line in FUNCTIONS:
        _para(document, line)
    _heading(document, "三、处理的个人信息及目的")
    _table(document, ("个人信息", "用途", "来源"), PERSONAL_DATA)
    _heading(document, "四、保存期限")
    years = int(config.get("PRIVACY_RETENTION_YEARS") or 0)
    _para(
        document,
        "人员离岗只停用、不删除，其学习、签到和考试记录保留，用于年度统计和报告。"
        f"停用满{years}年的人员，由运营单位运行 flask privacy purge 匿名化："
        "姓名改为“已注销人员#编号”，手机号替换为不能登录的占位符，登录会话和登录记录删除，"
        "学习心得和意见建议正文清除；统计数字（应考、参考、签到人次等）不变。",
    )
    _para(
        document,
        "操作日志作为法定记录原样保留（至少180天，到期由运营单位用 flask audit prune 清理），"
        "其中可能含有当时的人员姓名。",
    )
    _heading(document, "五、安全保护措施")
    for line in SECURITY:
        _para(document, line)
    _heading(document, "六、减负承诺")
    for line in PROMISES:
        _para(document, line)
    _heading(document, "七、投诉建议渠道")
    _para(document, "平台内“意见建议”页面，登录后即可提交，管理员答复后提交人可在同一页面查看。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fonts(document) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)
    _east_asian(normal.element, FONT)


def _east_asian(element, name: str) -> None:
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


def _run(paragraph, text: str, font: str = FONT, size=None):
    run = paragraph.add_run(text)
    _east_asian(run._r, font)
    if size is not None:
        run.font.size = size
    return run


def _para(document, text: str) -> None:
    _run(document.add_paragraph(), text)


def _heading(document, text: str) -> None:
    _run(document.add_paragraph(), text, HEADING_FONT)


def _table(document, headers: tuple[str, ...], rows) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _run(cell.paragraphs[0], text, HEADING_FONT)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _run(cell.paragraphs[0], text)
