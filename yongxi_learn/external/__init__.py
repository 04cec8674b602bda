"""External results (外部考试成绩): the result sheet of another platform (the provincial
学法考试, a 任前考试 …) imported as XLSX, matched by phone number to the people of the
importing admin's subtree. Its own source in the figures (stats: 来源：导入): an
imported sheet has no 应考名单, so on its own it gives 参考人数, 通过人数 and 通过率 =
通过人数/参考人数 only. A platform exam may count it (计入本考试, ``exams.external_sheets``,
a layer above): then its results count in that exam's 参考率 and 通过率."""

from flask import Flask


def register(app: Flask) -> None:
    from .views import bp

    app.register_blueprint(bp, url_prefix="/external")
