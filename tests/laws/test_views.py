"""Law library pages: reading and search for everyone, import with a preview,
new versions and the 待复核 list for admins, escaping, scope."""

import io
import re

import pytest

from tests.conftest import count_rows
from tests.exams.bank_fixtures import add_question
from tests.laws.law_fixtures import AMENDED_TEXT, LAW_TEXT, URL, docx_bytes, make_law
from yongxi_learn.core.staging import PendingImport
from yongxi_learn.exams.models import Question
from yongxi_learn.extensions import db
from yongxi_learn.laws import services as laws
from yongxi_learn.laws.models import Law, LawArticle, LawStatus
from yongxi_learn.org.models import Role


def text(response) -> str:
    return response.get_data(as_text=True)


def form(**overrides) -> dict:
    return {
        "title": "中华人民共和国示例管理法",
        "short_name": "示例管理法",
        "kind": "law",
        "issuer": "全国人民代表大会常务委员会",
        "promulgated_on": "2021-01-01",
        "effective_on": "2021-07-01",
        "text": LAW_TEXT,
        **overrides,
    }


def confirm_fields(html: str) -> tuple[str, dict]:
    action = re.search(r'action="(/laws/import/[^"/]+/confirm)"', html).group(1)
    return action, dict(re.findall(r'name="(plan)" value="([^"]+)"', html))


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


# ---------------------------------------------------------------- reading


def test_a_learner_reads_the_law_by_chapter_and_section(client, login, learner, tree):
    law = make_law(tree["district"])
    login(learner)
    html = text(client.get(f"{URL}{law.id}"))
    assert "中华人民共和国示例管理法" in html
    assert html.index("第二章 管理") < html.index("第一节 一般规定") < html.index("第十条之一")
    assert "示例管理应当公开。" in html
    assert "导入新版本" not in html and "修改信息" not in html


def test_a_learner_cannot_reach_the_admin_pages(client, login, learner, tree):
    law = make_law(tree["district"])
    login(learner)
    for url in (URL + "import", f"{URL}{law.id}/edit", f"{URL}{law.id}/version", URL + "review"):
        assert client.get(url).status_code == 403, url
    assert client.post(URL + "import", data=form()).status_code == 403
    assert client.post(f"{URL}{law.id}/repeal").status_code == 403
    assert db.session.get(Law, law.id).status is LawStatus.CURRENT


def test_a_unit_admin_reads_but_cannot_import(client, login, unit_admin, tree):
    law = make_law(tree["district"])
    login(unit_admin)
    assert client.get(f"{URL}{law.id}").status_code == 200
    assert "导入法规" not in text(client.get(URL))
    assert client.get(URL + "import").status_code == 403
    assert client.post(URL + "import", data=form(title="另一部法")).status_code == 403
    assert count_rows(PendingImport) == 0


def test_reading_needs_a_login(client, tree):
    law = make_law(tree["district"])
    assert client.get(f"{URL}{law.id}").status_code == 302
    assert client.get(URL).status_code == 302


def test_search_finds_laws_by_title_and_articles_by_text(client, login, learner, tree):
    law = make_law(tree["district"])
    make_law(
        tree["district"],
        title="中华人民共和国另一法",
        short_name="另一法",
        text="第一条　另一法的内容。",
    )
    login(learner)
    html = text(client.get(URL, query_string={"q": "应当公开"}))
    assert "第十条之一" in html and "<mark>应当公开</mark>" in html
    article = laws.find_article(law, "第十条之一")
    assert f'href="/laws/{law.id}?article={article.id}#a{article.id}"' in html
    assert "另一法的内容" not in html
    html = text(client.get(URL, query_string={"q": "另一法"}))
    assert "《中华人民共和国另一法》" in html


def test_old_versions_are_searched_only_when_asked(client, login, learner, tree):
    law = make_law(tree["district"])
    laws.repeal_law(law, actor=laws.Actor(user=None))
    db.session.commit()
    login(learner)
    assert "没有条文含有这些文字" in text(client.get(URL, query_string={"q": "应当公开"}))
    html = text(client.get(URL, query_string={"q": "应当公开", "versions": "all"}))
    assert "<mark>应当公开</mark>" in html and "已废止" in html


def test_titles_and_text_are_escaped(client, login, learner, tree):
    law = make_law(
        tree["district"],
        title="<script>alert(1)</script>示例法",
        text='第一条　<img src=x onerror="alert(2)">内容。',
    )
    login(learner)
    for html in (
        text(client.get(f"{URL}{law.id}")),
        text(client.get(URL)),
        text(client.get(URL, query_string={"q": "内容"})),
    ):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text(client.get(f"{URL}{law.id}"))


# ---------------------------------------------------------------- import


def test_a_pasted_law_is_previewed_and_saved_only_when_confirmed(as_admin, tree):
    preview = as_admin.post(URL + "import", data=form(owner_unit_id=tree["town"].id))
    html = text(preview)
    assert "识别出 5 个标题、7 条" in html
    assert "第一百零二条" in html and "第二章 管理 / 第一节 一般规定" in html
    assert "第二条之后是第十条" in html  # the numbering gap is pointed out
    assert count_rows(Law) == 0 and count_rows(LawArticle) == 0
    action, fields = confirm_fields(html)
    done = as_admin.post(action, data=fields, follow_redirects=True)
    assert "已保存《中华人民共和国示例管理法》，共7条" in text(done)
    law = db.session.query(Law).one()
    assert (law.owner_unit_id, law.effective_on.isoformat()) == (tree["town"].id, "2021-07-01")
    assert count_rows(PendingImport) == 0
    # A second confirm of the same preview finds nothing.
    assert as_admin.post(action, data=fields).status_code == 404
    assert count_rows(Law) == 1


def test_a_docx_upload_is_parsed_and_titled_by_its_first_line(as_admin, tree):
    content = docx_bytes(["中华人民共和国示例法", "第一章　总则", "第一条　甲。", "第二条　乙。"])
    data = form(title="", text="", file=(io.BytesIO(content), "下载.docx"))
    html = text(as_admin.post(URL + "import", data=data, content_type="multipart/form-data"))
    assert "识别出 1 个标题、2 条" in html and "下载.docx" in html
    assert "《中华人民共和国示例法》" in html


def test_without_a_title_or_a_title_line_the_title_is_asked_for(as_admin):
    html = text(as_admin.post(URL + "import", data=form(title="", text="第一条　甲。")))
    assert "请填写法规名称" in html


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((b"PK\x03\x04broken", "坏.docx"), "文件已损坏或不完整"),
        (("会议通知\n明天开会。".encode(), "通知.txt"), "没有找到任何条文"),
        ((b"%PDF-1.4", "法规.pdf"), "只能上传 .txt 或 .docx 文件"),
    ],
)
def test_a_file_that_cannot_be_parsed_says_why_and_stages_nothing(as_admin, upload, message):
    content, name = upload
    data = form(text="", file=(io.BytesIO(content), name))
    response = as_admin.post(URL + "import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and message in text(response)
    assert count_rows(PendingImport) == 0


def test_a_second_copy_of_a_current_law_is_refused_at_the_preview(as_admin, tree):
    make_law(tree["town"])
    html = text(as_admin.post(URL + "import", data=form(owner_unit_id=tree["town"].id)))
    assert "已有现行有效的《中华人民共和国示例管理法》" in html
    assert count_rows(PendingImport) == 0


def test_nothing_to_import_is_explained(as_admin):
    html = text(as_admin.post(URL + "import", data=form(text="  ")))
    assert "请粘贴法规全文，或选择 .txt、.docx 文件上传" in html


def test_a_new_version_flags_questions_and_lists_them_for_review(as_admin, tree):
    law = make_law(tree["town"])
    question = add_question(tree["town"], law_ref=law.title)
    question.law_id = law.id
    db.session.commit()
    html = text(as_admin.post(f"{URL}{law.id}/version", data=form(text=AMENDED_TEXT)))
    assert "新版本，替代第1版" in html
    action, fields = confirm_fields(html)
    done = text(as_admin.post(action, data=fields, follow_redirects=True))
    assert "旧版本已标记为已修改，目前共有1项引用待复核" in done
    db.session.expire_all()
    assert db.session.get(Law, law.id).status is LawStatus.AMENDED
    assert db.session.get(Question, question.id).needs_review is True
    assert "待复核（1）" in text(as_admin.get(URL))
    review = text(as_admin.get(URL + "review"))
    assert f'href="/admin/questions/{question.id}"' in review and "已修改" in review
    bank_list = text(as_admin.get("/admin/questions/", query_string={"review": "1"}))
    assert "待复核" in bank_list and question.stem[:10] in bank_list


def test_an_admin_of_another_town_cannot_edit_the_towns_law(client, login, make_user, tree):
    law = make_law(tree["town"])
    other = make_user("宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    login(other)
    assert client.get(f"{URL}{law.id}").status_code == 200
    assert client.get(f"{URL}{law.id}/edit").status_code == 403
    assert client.post(f"{URL}{law.id}/edit", data=form(title="改名")).status_code == 403
    assert client.post(f"{URL}{law.id}/version", data=form()).status_code == 403
    assert client.post(f"{URL}{law.id}/repeal").status_code == 403
    db.session.expire_all()
    assert db.session.get(Law, law.id).title == "中华人民共和国示例管理法"


def test_metadata_is_edited_and_repeal_is_shown(as_admin, tree):
    law = make_law(tree["town"])
    response = as_admin.post(f"{URL}{law.id}/edit", data=form(title="中华人民共和国示例法"))
    assert response.status_code == 302
    as_admin.post(f"{URL}{law.id}/repeal")
    html = text(as_admin.get(f"{URL}{law.id}"))
    assert "中华人民共和国示例法" in html and "已废止" in html


def test_a_long_law_is_shown_one_part_at_a_time(client, login, learner, tree):
    lines = ["第一编　总则"]
    lines += [f"第{n}条　总则第{n}条的内容。" for n in range(1, 101)]
    lines += ["第二编　分则", "第一章　一般规定"]
    lines += [f"第{n}条　分则第{n}条的内容。" for n in range(101, 161)]
    law = make_law(tree["district"], text="\n".join(lines))
    login(learner)
    first = text(client.get(f"{URL}{law.id}"))
    assert "总则第100条的内容" in first and "分则第101条的内容" not in first
    assert "第 1 / 2 部分" in first and f'href="/laws/{law.id}?part=1#h' in first
    second = text(client.get(f"{URL}{law.id}", query_string={"part": 1}))
    assert "分则第160条的内容" in second and "总则第1条的内容" not in second
    assert "第一章 一般规定" in second
    target = laws.find_article(law, "第一百二十条")
    by_article = text(client.get(f"{URL}{law.id}", query_string={"article": target.id}))
    assert f'id="a{target.id}"' in by_article
    assert client.get(f"{URL}{law.id}", query_string={"part": 99}).status_code == 200
