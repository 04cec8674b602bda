"""Bulk import of people from XLSX: template, upload, preview, confirm."""

import io
import re
import zipfile
from datetime import datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.org.helpers import xlsx
from yongxi_learn.auth.passwords import check_password
from yongxi_learn.core import spreadsheets
from yongxi_learn.core.pending_import import PendingImport
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org import import_file, services
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, Role, UnitKind, User

URL = "/admin/people/import/"
HEADERS = ("姓名", "手机号", "单位", "人员类别", "职务")
GOOD_ROWS = [
    ("王小明", "13812340001", "石佛村", "村(社区)两委干部", "村委委员"),
    ("李红", "13812340002", "党政办公室", "机关干部", ""),
]


# ---------------------------------------------------------------- helpers


def upload(client, content: bytes, filename: str = "人员.xlsx"):
    return client.post(
        URL,
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def confirm_form(html: str) -> tuple[str, dict]:
    action = re.search(r'action="(/admin/people/import/[^"/]+/confirm)"', html)
    digest = re.search(r'name="plan" value="([0-9a-f]+)"', html)
    assert action and digest, "no confirm button on the page"
    return action.group(1), {"plan": digest.group(1)}


def offers_confirm(html: str) -> bool:
    return "/confirm" in html and "确认导入</button>" in html


def confirm(client, preview_response):
    url, data = confirm_form(text(preview_response))
    return client.post(url, data=data)


def person(phone: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.phone == phone))


def with_extra_member(content: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


@pytest.fixture
def parsing_spy(monkeypatch):
    """Records whether openpyxl was ever asked to parse the upload."""
    calls = []
    real = spreadsheets.load_workbook

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(spreadsheets, "load_workbook", spy)
    return calls


# ---------------------------------------------------------------- the template


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_template_has_people_sheet_with_exact_headers_and_help_sheet(as_admin):
    response = as_admin.get(URL + "template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["人员", "填写说明"]
    header = next(workbook["人员"].iter_rows(max_row=1, values_only=True))
    assert header == HEADERS
    help_text = "\n".join(
        str(v) for row in workbook["填写说明"].iter_rows(values_only=True) for v in row if v
    )
    assert "雍溪镇/石佛村" in help_text
    assert "法律明白人" in help_text


def test_template_offers_category_drop_down(as_admin):
    workbook = openpyxl.load_workbook(io.BytesIO(as_admin.get(URL + "template.xlsx").data))
    (validation,) = workbook["人员"].data_validations.dataValidation
    assert validation.type == "list"
    assert str(validation.sqref).startswith("D2:D")
    assert validation.formula1 == '"领导干部,机关干部,村(社区)两委干部,法律明白人,其他"'


def test_template_freezes_header_and_keeps_phones_as_text(as_admin):
    workbook = openpyxl.load_workbook(io.BytesIO(as_admin.get(URL + "template.xlsx").data))
    sheet = workbook["人员"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].number_format == "@"
    assert sheet.column_dimensions["C"].width >= 20


def test_upload_page_links_template_and_tells_wechat_users_to_open_browser(as_admin):
    page = text(as_admin.get(URL, headers={"User-Agent": "Mozilla/5.0 MicroMessenger/8.0"}))
    assert URL + "template.xlsx" in page
    assert "在浏览器打开" in page
    assert 'data-busy="正在检查文件…"' in page


def test_template_lists_only_units_the_uploader_may_import_into(client, login, unit_admin):
    login(unit_admin)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(URL + "template.xlsx").data))
    cells = [v for row in workbook["填写说明"].iter_rows(values_only=True) for v in row if v]
    assert "大足区/雍溪镇/石佛村" in cells
    assert not any("红岩村" in str(v) or "宝林村" in str(v) for v in cells)


def test_upload_without_a_file_asks_for_one(as_admin):
    page = text(as_admin.post(URL, data={}, content_type="multipart/form-data"))
    assert "请选择要上传的文件" in page


def test_learner_cannot_open_import(client, login, make_user, tree):
    login(make_user("学员", tree["office"]))
    assert client.get(URL).status_code == 403
    assert client.get(URL + "template.xlsx").status_code == 403


# ---------------------------------------------------------------- a good file


def test_good_file_previews_what_will_be_created(as_admin):
    before = count_rows(User)
    page = text(upload(as_admin, xlsx(GOOD_ROWS)))
    assert "将新增 2 人，更新 0 人，错误 0 行" in page
    assert "王小明" in page and "新增" in page
    assert offers_confirm(page)
    assert count_rows(User) == before


def test_confirmed_import_creates_people_in_their_units(as_admin, tree):
    done = confirm(as_admin, upload(as_admin, xlsx(GOOD_ROWS)))
    assert done.status_code == 200
    wang, li = person("13812340001"), person("13812340002")
    assert (wang.name, wang.unit_id, wang.category, wang.post) == (
        "王小明",
        tree["village"].id,
        Category.VILLAGE_CADRE,
        "村委委员",
    )
    assert (li.unit_id, li.category) == (tree["office"].id, Category.OFFICIAL)
    assert wang.must_change_password and li.must_change_password
    assert "已新增 2 人，更新 0 人" in text(done)


def test_result_page_shows_each_initial_password_once(as_admin):
    preview = upload(as_admin, xlsx(GOOD_ROWS))
    done = confirm(as_admin, preview)
    page = text(done)
    passwords = re.findall(r'<td class="secret">([^<]+)</td>', page)
    assert len(passwords) == 2
    assert check_password(person("13812340001").password_hash, passwords[0])
    assert "只显示这一次" in page and "打印" in page
    url, data = confirm_form(text(preview))
    assert as_admin.post(url, data=data).status_code == 404


def test_import_is_audited_as_one_record(as_admin):
    confirm(as_admin, upload(as_admin, xlsx(GOOD_ROWS), filename="三月名单.xlsx"))
    records = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "people.import"))
    (record,) = records.all()
    assert record.detail == "三月名单.xlsx：新增2人，更新0人"
    creates = sa.select(sa.func.count()).where(AuditLog.action == "person.create")
    assert db.session.scalar(creates) == 2


def test_confirm_deletes_the_pending_upload(as_admin):
    preview = upload(as_admin, xlsx(GOOD_ROWS))
    assert count_rows(PendingImport) == 1
    confirm(as_admin, preview)
    assert count_rows(PendingImport) == 0


def test_template_filled_in_and_uploaded_imports(as_admin, tree):
    workbook = openpyxl.load_workbook(io.BytesIO(as_admin.get(URL + "template.xlsx").data))
    sheet = workbook["人员"]
    sheet.append(["赵六", "13812340009", "雍溪镇/司法所", "法律明白人", "调解员"])
    out = io.BytesIO()
    workbook.save(out)
    confirm(as_admin, upload(as_admin, out.getvalue()))
    zhao = person("13812340009")
    assert (zhao.unit_id, zhao.category) == (tree["justice"].id, Category.LEGAL_LIAISON)


def test_phone_typed_as_number_is_read_as_text(as_admin):
    rows = [
        ("甲", 13812340011, "石佛村", "其他", ""),
        ("乙", 13812340012.0, "石佛村", "其他", ""),
        ("丙", "+86 138-1234-0013", "石佛村", "其他", ""),
    ]
    confirm(as_admin, upload(as_admin, xlsx(rows)))
    assert person("13812340011").name == "甲"
    assert person("13812340012").name == "乙"
    assert person("13812340013").name == "丙"


def test_blank_rows_are_skipped(as_admin):
    rows = [GOOD_ROWS[0], (None, None, None, None, None), ("", " ", "", "", ""), GOOD_ROWS[1]]
    page = text(upload(as_admin, xlsx(rows)))
    assert "将新增 2 人，更新 0 人，错误 0 行" in page


def test_full_path_picks_one_of_two_units_with_the_same_name(
    client, login, make_user, make_unit, tree
):
    make_unit("石佛村", UnitKind.VILLAGE, tree["other_town"])
    login(make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])]))
    rows = [("王小明", "13812340001", "雍溪镇/石佛村", "其他", "")]
    confirm(client, upload(client, xlsx(rows)))
    assert person("13812340001").unit_id == tree["village"].id


# ---------------------------------------------------------------- updates


def test_existing_phone_updates_that_person(as_admin, make_user, tree):
    existing = make_user("李四", tree["office"], phone="13812340002")
    before = count_rows(User)
    row = ("李四", "13812340002", "石佛村", "村(社区)两委干部", "村委委员")
    preview = upload(as_admin, xlsx([row]))
    assert "将新增 0 人，更新 1 人，错误 0 行" in text(preview)
    done = confirm(as_admin, preview)
    assert "已新增 0 人，更新 1 人" in text(done)
    updated = person("13812340002")
    assert updated.id == existing.id
    assert (updated.unit_id, updated.category, updated.post) == (
        tree["village"].id,
        Category.VILLAGE_CADRE,
        "村委委员",
    )
    assert count_rows(User) == before


def test_unchanged_person_is_not_offered_for_import(as_admin, make_user, tree):
    make_user("李四", tree["office"], phone="13812340002")
    page = text(upload(as_admin, xlsx([("李四", "13812340002", "党政办公室", "机关干部", "")])))
    assert "另有 1 人信息无变化" in page
    assert "无需导入" in page
    assert not offers_confirm(page)


def test_phone_of_person_outside_scope_is_rejected_without_details(as_admin, make_user, tree):
    make_user("外镇人员", tree["other_village"], phone="13812340002")
    page = text(upload(as_admin, xlsx([("李四", "13812340002", "石佛村", "其他", "")])))
    assert "第2行「手机号」：手机号已被使用，请与本人或上级管理员核实" in page
    assert "其他单位" not in page
    assert "外镇人员" not in page and "宝林村" not in page
    assert person("13812340002").name == "外镇人员"


def test_a_file_naming_many_numbers_held_elsewhere_is_refused_without_naming_them(
    as_admin, make_user, tree
):
    # An upload of 2,000 numbers must not tell which of them are registered elsewhere.
    held = [f"1381234{n:04d}" for n in range(6)]
    for n, phone in enumerate(held):
        make_user(f"外镇人员{n}", tree["other_village"], phone=phone)
    page = text(
        upload(
            as_admin,
            xlsx([(f"新人{n}", phone, "石佛村", "其他", "") for n, phone in enumerate(held)]),
        )
    )
    assert "文件中有超过5个手机号已被使用" in page
    assert not any(phone in page for phone in held)
    assert "第2行" not in page


def test_unit_admin_cannot_update_a_town_admin_living_in_their_village(
    client, login, unit_admin, make_user, tree
):
    make_user("镇管理员", tree["village"], phone="13812340002", roles=[(Role.ADMIN, tree["town"])])
    login(unit_admin)
    page = text(upload(client, xlsx([("改名", "13812340002", "石佛村", "其他", "")])))
    assert "第2行「手机号」：该人员持有超出您管理范围的权限，您不能修改其信息" in page
    assert not offers_confirm(page)
    assert person("13812340002").name == "镇管理员"


def test_deactivated_person_must_be_reactivated_first(as_admin, make_user, tree):
    make_user("李四", tree["office"], phone="13812340002", active=False)
    page = text(upload(as_admin, xlsx([("李四", "13812340002", "石佛村", "其他", "")])))
    assert "第2行「手机号」：该手机号对应的人员已停用，请先在人员页面重新启用后再导入" in page
    assert not offers_confirm(page)


# ---------------------------------------------------------------- rejected rows


def test_bad_row_names_row_and_column_and_offers_no_confirm(as_admin):
    rows = [*GOOD_ROWS, ("张三", "1381234", "石佛村", "其他", "")]
    before = count_rows(User)
    page = text(upload(as_admin, xlsx(rows)))
    assert "第4行「手机号」：手机号应为11位中国大陆手机号码" in page
    assert "将新增 2 人，更新 0 人，错误 1 行" in page
    assert not offers_confirm(page)
    assert count_rows(User) == before
    assert count_rows(PendingImport) == 0


def test_confirm_posted_without_a_staged_upload_writes_nothing(as_admin):
    upload(as_admin, xlsx([("张三", "1381234", "石佛村", "其他", "")]))
    before = count_rows(User)
    response = as_admin.post(URL + "made-up-token/confirm", data={"plan": "0" * 32})
    assert response.status_code == 404
    assert count_rows(User) == before


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ("张三", "12345678901", "石佛村", "其他", ""),
            "「手机号」：手机号应为11位中国大陆手机号码",
        ),
        (("张三", "", "石佛村", "其他", ""), "「手机号」：请填写手机号"),
        (("张三", "=13812340001", "石佛村", "其他", ""), "「手机号」：不能包含公式"),
        (("=A1", "13812340001", "石佛村", "其他", ""), "「姓名」：不能包含公式"),
        (("张\t三", "13812340001", "石佛村", "其他", ""), "「姓名」：姓名含有控制字符或不可见字符"),
        (("张三\u202e", "13812340001", "石佛村", "其他", ""), "「姓名」：姓名含有控制字符"),
        (("", "13812340001", "石佛村", "其他", ""), "「姓名」：姓名不能为空"),
        (("张" * 51, "13812340001", "石佛村", "其他", ""), "「姓名」：姓名不能超过50个字"),
        (("张三", "13812340001", "石佛村", "其他", "主" * 51), "「职务」：职务不能超过50个字"),
        (("张三", "13812340001", "石佛村", "村民", ""), "「人员类别」：人员类别应为以下之一"),
        (("张三", "13812340001", "石佛村", "", ""), "「人员类别」：请填写人员类别"),
        (("张三", "13812340001", "不存在村", "其他", ""), "「单位」：找不到该单位"),
        (("张三", "13812340001", "", "其他", ""), "「单位」：请填写单位"),
        (
            ("张三", datetime(2024, 5, 1), "石佛村", "其他", ""),
            "「手机号」：应填写文字，不能是日期",
        ),
        (("张三", True, "石佛村", "其他", ""), "「手机号」：应填写文字"),
    ],
)
def test_bad_cell_is_rejected_with_its_message(as_admin, row, expected):
    before = count_rows(User)
    page = text(upload(as_admin, xlsx([row])))
    assert "第2行" + expected in page
    assert not offers_confirm(page)
    assert count_rows(User) == before


def test_text_that_starts_with_equals_sign_counts_as_formula(as_admin):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "人员"
    sheet.append(list(HEADERS))
    sheet.append(["张三", "13812340001", "石佛村", "其他", "x"])
    sheet["E2"].value = "=cmd|' /C calc'!A0"
    sheet["E2"].data_type = "s"  # stored as a string, not a formula
    out = io.BytesIO()
    workbook.save(out)
    page = text(upload(as_admin, out.getvalue()))
    assert "第2行「职务」：不能包含公式" in page


def test_full_width_brackets_in_category_are_accepted(as_admin):
    rows = [("张三", "13812340001", "石佛村", "村（社区）两委干部", "")]
    confirm(as_admin, upload(as_admin, xlsx(rows)))
    assert person("13812340001").category == Category.VILLAGE_CADRE


def test_duplicate_phones_name_both_rows(as_admin):
    rows = [
        ("张三", "13812340001", "石佛村", "其他", ""),
        ("李四", "13812340002", "石佛村", "其他", ""),
        ("王五", "138 1234 0001", "石佛村", "其他", ""),
    ]
    page = text(upload(as_admin, xlsx(rows)))
    assert "第2行「手机号」：与第4行的手机号重复" in page
    assert "第4行「手机号」：与第2行的手机号重复" in page
    assert not offers_confirm(page)


def test_ambiguous_unit_name_asks_for_full_path(client, login, make_user, make_unit, tree):
    make_unit("石佛村", UnitKind.VILLAGE, tree["other_town"])
    login(make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])]))
    page = text(upload(client, xlsx([("张三", "13812340001", "石佛村", "其他", "")])))
    assert "第2行「单位」：有多个同名单位（大足区/雍溪镇/石佛村、大足区/宝顶镇/石佛村）" in page


def test_inactive_unit_is_rejected(as_admin, tree):
    services.set_unit_active(tree["village2"], False, actor=services.SYSTEM)
    db.session.commit()
    page = text(upload(as_admin, xlsx([("张三", "13812340001", "红岩村", "其他", "")])))
    assert "第2行「单位」：该单位已停用" in page


def test_unit_outside_scope_reads_as_unknown(as_admin):
    page = text(upload(as_admin, xlsx([("张三", "13812340001", "宝林村", "其他", "")])))
    assert "第2行「单位」：找不到该单位" in page
    assert "宝顶镇" not in page


def test_unit_admin_imports_only_into_own_village(client, login, unit_admin, tree):
    login(unit_admin)
    rows = [
        ("张三", "13812340001", "石佛村", "村(社区)两委干部", ""),
        ("李四", "13812340002", "红岩村", "村(社区)两委干部", ""),
        ("王五", "13812340003", "不存在村", "其他", ""),
    ]
    page = text(upload(client, xlsx(rows)))
    unknown = "「单位」：找不到该单位，请填写单位树中的名称"
    assert f"第3行{unknown}" in page and f"第4行{unknown}" in page
    assert not offers_confirm(page)
    confirm(client, upload(client, xlsx(rows[:1])))
    assert person("13812340001").unit_id == tree["village"].id


# ---------------------------------------------------------------- rejected files


def _bad_files():
    good = xlsx(GOOD_ROWS)
    ole2 = import_file.OLE2_SIGNATURE + b"\0" * 4000
    return [
        ("renamed_txt", b"name,phone\nzhang,13812340001\n", "人员.xlsx", "不是有效的 .xlsx 文件"),
        ("old_xls", ole2, "人员.xlsx", "文件已加密或为旧版 .xls 格式，请另存为 .xlsx 后上传"),
        ("truncated", good[: len(good) // 2], "人员.xlsx", "文件已损坏或不完整"),
        ("empty", b"", "人员.xlsx", "文件是空的"),
        ("xls_name", ole2, "人员.xls", "只能上传 .xlsx 文件"),
        ("no_sheet", xlsx(GOOD_ROWS, sheet="Sheet1"), "人员.xlsx", "没有名为「人员」的工作表"),
        (
            "wrong_headers",
            xlsx(GOOD_ROWS, headers=("姓名", "电话", "单位", "人员类别", "职务")),
            "人员.xlsx",
            "第1行的表头应依次为：姓名、手机号、单位、人员类别、职务",
        ),
        (
            "extra_header",
            xlsx(GOOD_ROWS, headers=(*HEADERS, "备注")),
            "人员.xlsx",
            "第1行的表头应依次为",
        ),
        ("no_rows", xlsx([]), "人员.xlsx", "没有人员数据"),
        ("zip_without_workbook", _plain_zip(), "人员.xlsx", "不是有效的 .xlsx 文件"),
    ]


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [case[1:] for case in _bad_files()],
    ids=[case[0] for case in _bad_files()],
)
def test_unusable_file_is_rejected_with_its_message(as_admin, content, filename, expected):
    before = count_rows(User)
    response = upload(as_admin, content, filename)
    assert expected in text(response)
    assert not offers_confirm(text(response))
    assert count_rows(User) == before
    assert count_rows(PendingImport) == 0


def test_xml_entities_in_a_sheet_are_refused(as_admin):
    good = xlsx(GOOD_ROWS)
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    entity = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    assert not sheet.startswith("<?xml")
    row = '<row r="9"><c r="A9" t="inlineStr"><is><t>&b;</t></is></c></row>'
    sheet = entity + sheet.replace("</sheetData>", row + "</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
            dst.writestr(info, data)
    before = count_rows(User)
    page = text(upload(as_admin, out.getvalue()))
    assert "文件内容无法读取" in page
    assert count_rows(User) == before


def test_file_over_size_limit_is_rejected_before_parsing(as_admin, app, parsing_spy):
    app.config["IMPORT_MAX_BYTES"] = 1000
    page = text(upload(as_admin, xlsx(GOOD_ROWS)))
    assert "文件过大（不能超过" in page
    assert parsing_spy == []


def test_zip_bomb_is_rejected_before_parsing(as_admin, parsing_spy):
    bomb = with_extra_member(xlsx(GOOD_ROWS), "xl/media/image1.bin", bytes(31 * 1024 * 1024))
    assert len(bomb) < 2 * 1024 * 1024
    page = text(upload(as_admin, bomb))
    assert "文件解压后过大" in page
    assert parsing_spy == []


def test_suspicious_compression_ratio_is_rejected_before_parsing(as_admin, parsing_spy):
    padded = with_extra_member(xlsx(GOOD_ROWS), "xl/media/image1.bin", bytes(5 * 1024 * 1024))
    page = text(upload(as_admin, padded))
    assert "压缩比异常" in page
    assert parsing_spy == []


def test_too_many_zip_entries_are_rejected_before_parsing(as_admin, app, parsing_spy):
    app.config["IMPORT_MAX_ZIP_ENTRIES"] = 5
    page = text(upload(as_admin, xlsx(GOOD_ROWS)))
    assert "包含的部件过多" in page
    assert parsing_spy == []


def test_too_many_rows_are_rejected(as_admin, app):
    app.config["IMPORT_MAX_ROWS"] = 3
    rows = [(f"人员{i}", f"1381234{i:04d}", "石佛村", "其他", "") for i in range(4)]
    before = count_rows(User)
    page = text(upload(as_admin, xlsx(rows)))
    assert "一次最多导入3人" in page
    assert count_rows(User) == before


def test_rows_up_to_the_limit_are_accepted(as_admin, app):
    app.config["IMPORT_MAX_ROWS"] = 3
    rows = [(f"人员{i}", f"1381234{i:04d}", "石佛村", "其他", "") for i in range(3)]
    assert "将新增 3 人" in text(upload(as_admin, xlsx(rows)))


# ---------------------------------------------------------------- confirming


def test_another_admin_cannot_confirm_someone_elses_upload(app, as_admin, login, make_user, tree):
    preview = upload(as_admin, xlsx(GOOD_ROWS))
    other = app.test_client()
    login(make_user("另一管理员", tree["office"], roles=[(Role.ADMIN, tree["town"])]), client=other)
    before = count_rows(User)
    url, data = confirm_form(text(preview))
    assert other.post(url, data=data).status_code == 404
    assert count_rows(User) == before
    assert confirm(as_admin, preview).status_code == 200


def test_expired_upload_cannot_be_confirmed(as_admin):
    preview = upload(as_admin, xlsx(GOOD_ROWS))
    db.session.execute(sa.update(PendingImport).values(created_at=utcnow() - timedelta(minutes=61)))
    db.session.commit()
    before = count_rows(User)
    url, data = confirm_form(text(preview))
    page = text(as_admin.post(url, data=data, follow_redirects=True))
    assert "上传的文件已过期，请重新上传" in page
    assert count_rows(User) == before


def test_confirm_rechecks_and_writes_nothing_when_data_changed(as_admin, tree):
    preview = upload(as_admin, xlsx(GOOD_ROWS))
    services.set_unit_active(tree["village"], False, actor=services.SYSTEM)
    db.session.commit()
    before = count_rows(User)
    page = text(confirm(as_admin, preview))
    assert "第2行「单位」：该单位已停用" in page
    assert not offers_confirm(page)
    assert count_rows(User) == before
    assert person("13812340002") is None


def test_confirm_asks_again_when_a_new_person_became_an_update(as_admin, make_user, tree):
    preview = upload(as_admin, xlsx(GOOD_ROWS))
    make_user("先到者", tree["office"], phone="13812340001")
    before = count_rows(User)
    page = text(confirm(as_admin, preview))
    assert "请核对下表后再次确认" in page
    assert "将新增 1 人，更新 1 人" in page
    assert count_rows(User) == before
    assert person("13812340001").name == "先到者"


def test_sheet_padded_with_blank_rows_is_rejected_without_reading_them_all(as_admin, app):
    app.config["IMPORT_MAX_ROWS"] = 3
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "人员"
    sheet.append(list(HEADERS))
    sheet.append(["刘一", "13812340001", "石佛村", "其他", ""])
    sheet.cell(row=5000, column=1, value="陈二")
    out = io.BytesIO()
    workbook.save(out)
    before = count_rows(User)
    page = text(upload(as_admin, out.getvalue()))
    assert "行数过多" in page
    assert count_rows(User) == before
