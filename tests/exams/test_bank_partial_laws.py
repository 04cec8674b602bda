"""Questions citing articles of a law the library holds only in part: the reference is
kept as text with a warning, never refused; a law held whole still refuses an article
it does not have, and says which case it is (the import and the bank form alike)."""

import pytest

from tests.exams.bank_fixtures import (
    FORM,
    URL,
    confirm,
    offers_confirm,
    questions,
    text,
    upload,
    xlsx,
)
from tests.exams.bank_fixtures import row as make_row
from tests.laws.law_fixtures import PENALTY_LAW, make_penalty_law, real_text
from yongxi_learn.extensions import db
from yongxi_learn.laws import services as laws
from yongxi_learn.laws.models import Law, LawKind
from yongxi_learn.laws.parser import parse_text
from yongxi_learn.laws.services import LawMeta
from yongxi_learn.org.services import SYSTEM

PARTIAL = f"法规库中《{PENALTY_LAW}》的条文不全，无法核对"


def bank_of_40() -> list[list[str]]:
    """40 questions on 行政处罚法 第一条 to 第四十条, each asking whether the article's
    first paragraph is the law, with the article's label as the reference."""
    rows = []
    for article in parse_text(real_text()).articles[:40]:
        first = article.text.split("\n")[0]
        rows.append(
            make_row(
                "判断",
                f"《行政处罚法》规定：{first}",
                ("", ""),
                "对",
                explanation=f"见《行政处罚法》{article.label}。",
                category="行政处罚法",
                law="行政处罚法",
                article=article.label,
            )
        )
    return rows


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


def post_new(client, law: Law, article: str):
    return client.post(URL + "new", data={**FORM, "law_id": str(law.id), "article_ref": article})


# ---------------------------------------------------------------- the import


def test_a_bank_citing_articles_a_partly_loaded_law_lacks_imports_with_warnings(as_admin, tree):
    law = make_penalty_law(tree["district"], whole=False)  # 第二条 and 第九条 only
    preview = upload(as_admin, xlsx(bank_of_40()))
    html = text(preview)
    assert "可导入 40 题，错误 0 行</strong>；其中 38 题有提示，不影响导入" in html
    assert f"第5行「条款」：{PARTIAL}第四条，已按文字保存" in html
    assert offers_confirm(html)
    assert confirm(as_admin, preview).status_code == 200
    saved = questions()
    assert len(saved) == 40 and {q.law_id for q in saved} == {law.id}
    linked = {q.article_ref: q.article.label for q in saved if q.article is not None}
    assert linked == {"第二条": "第二条", "第九条": "第九条"}
    kept = [q.article_ref for q in saved if q.article is None]
    assert kept[:3] == ["第一条", "第三条", "第四条"] and len(kept) == 38


def test_the_same_bank_links_every_article_of_a_law_held_whole(as_admin, tree):
    make_penalty_law(tree["district"], whole=True)
    preview = upload(as_admin, xlsx(bank_of_40()))
    html = text(preview)
    assert "可导入 40 题，错误 0 行</strong></p>" in html and "无法核对" not in html
    assert confirm(as_admin, preview).status_code == 200
    assert [q.article.label for q in questions()] == [q[-1] for q in bank_of_40()]


def test_an_article_a_law_held_whole_lacks_is_an_error_saying_why(as_admin, tree):
    make_penalty_law(tree["district"], whole=True)
    rows = [
        make_row(stem="题一（ ）。", law="行政处罚法", article="第九十九条"),
        make_row(stem="题二（ ）。", law="行政处罚法", article="第十条之一"),
        make_row(stem="题三（ ）。", law="行政处罚法", article="第4条"),
    ]
    html = text(upload(as_admin, xlsx(rows)))
    assert "可导入 1 题，错误 2 行" in html
    assert f"第2行「条款」：《{PENALTY_LAW}》共86条，没有第九十九条" in html
    assert f"第3行「条款」：《{PENALTY_LAW}》中没有第十条之一" in html
    assert "第4行" not in html and not offers_confirm(html)


def test_an_article_beyond_the_real_law_is_only_a_warning_while_its_text_is_partial(as_admin, tree):
    # The library cannot tell 第九十九条 from 第四条 without the whole text.
    make_penalty_law(tree["district"], whole=False)
    rows = [make_row(stem="题一（ ）。", law="行政处罚法", article="99")]
    html = text(upload(as_admin, xlsx(rows)))
    assert "可导入 1 题，错误 0 行" in html
    assert f"{PARTIAL}第九十九条，已按文字保存" in html and offers_confirm(html)


def test_a_law_without_text_keeps_the_article_with_a_warning(as_admin, tree):
    meta = LawMeta(title="中华人民共和国行政强制法", kind=LawKind.LAW, short_name="行政强制法")
    laws.create_law(meta, None, owner_unit=tree["district"], actor=SYSTEM)
    db.session.commit()
    rows = [make_row(stem="题一（ ）。", law="行政强制法", article="第四条")]
    html = text(upload(as_admin, xlsx(rows)))
    assert "法规库中《中华人民共和国行政强制法》尚无条文，无法核对第四条，已按文字保存" in html
    assert offers_confirm(html)


def test_a_row_with_two_errors_counts_as_one_row(as_admin, tree):
    make_penalty_law(tree["district"], whole=True)
    rows = [
        make_row(stem="题一（ ）。", answer="Z", law="行政处罚法", article="第九十九条"),
        make_row(stem="题二（ ）。", law="行政处罚法", article="第四条"),
    ]
    html = text(upload(as_admin, xlsx(rows)))
    assert "可导入 1 题，错误 1 行" in html
    assert "第2行「答案」" in html and "第2行「条款」" in html


# ---------------------------------------------------------------- the form


def test_the_form_saves_an_article_a_partly_loaded_law_lacks_with_a_warning(as_admin, tree):
    law = make_penalty_law(tree["district"], whole=False)
    response = post_new(as_admin, law, "第4条")
    assert response.status_code == 302
    page = text(as_admin.get(response.headers["Location"]))
    assert f"提示：{PARTIAL}第四条，已按文字保存" in page
    question = questions()[0]
    assert (question.law_id, question.article_id, question.article_ref) == (law.id, None, "第四条")


def test_the_form_and_the_import_read_an_article_alike(as_admin, tree):
    law = make_penalty_law(tree["district"], whole=False)
    html = text(post_new(as_admin, law, "第四条第二款"))
    assert f"《{PENALTY_LAW}》中没有“第四条第二款”，请填写如“第十条”“第十条之一”" in html
    rows = [make_row(stem="题一（ ）。", law="行政处罚法", article="第四条第二款")]
    html = text(upload(as_admin, xlsx(rows)))
    assert f"第2行「条款」：《{PENALTY_LAW}》中没有“第四条第二款”" in html


def test_an_article_kept_as_text_links_once_the_whole_text_is_imported(as_admin, tree):
    sample = make_penalty_law(tree["district"], whole=False)
    as_admin.get(post_new(as_admin, sample, "第四条").headers["Location"])
    question = questions()[0]
    meta = LawMeta.of(db.session.get(Law, sample.id))
    newer = laws.import_version(sample, meta, parse_text(real_text()), actor=SYSTEM, full_text=True)
    db.session.commit()
    data = {**FORM, "law_id": str(newer.id), "article_ref": question.article_ref}
    response = as_admin.post(f"{URL}{question.id}", data=data)
    assert response.status_code == 302
    assert "提示：" not in text(as_admin.get(response.headers["Location"]))
    saved = questions()[-1]
    assert (saved.law_id, saved.article.label, saved.needs_review) == (newer.id, "第四条", False)
    assert saved.article.text.startswith("公民、法人或者其他组织违反行政管理秩序的行为")
