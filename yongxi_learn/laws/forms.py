"""Forms of the law library pages. The rules live in services.check_meta and the parser;
these forms carry the fields and show the messages."""

from flask_wtf.file import FileField
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import Form, QueryForm, SearchField
from .models import LAW_KIND_LABELS, Law, LawKind
from .services import LawMeta

KIND_CHOICES = [SelectChoice(kind.value, label) for kind, label in LAW_KIND_LABELS.items()]
TEXT_MAX = 1_000_000


class LawMetaForm(Form):
    title = StringField(
        "法规名称",
        validators=[DataRequired("请填写法规名称"), Length(max=200)],
        render_kw={"placeholder": "如：中华人民共和国行政处罚法"},
    )
    short_name = StringField(
        "简称", validators=[Length(max=50)], render_kw={"placeholder": "如：行政处罚法"}
    )
    kind = SelectField("类别", choices=KIND_CHOICES, default=LawKind.LAW.value)
    issuer = StringField(
        "制定机关",
        validators=[Length(max=100)],
        render_kw={"placeholder": "如：全国人民代表大会常务委员会"},
    )
    promulgated_on = DateField("公布日期", validators=[Optional()])
    effective_on = DateField("施行日期", validators=[Optional()])

    def law_meta(self) -> LawMeta:
        return LawMeta(
            title=self.title.data or "",
            kind=LawKind(self.kind.data),
            short_name=self.short_name.data or "",
            issuer=self.issuer.data or "",
            promulgated_on=self.promulgated_on.data,
            effective_on=self.effective_on.data,
        )

    def fill_from(self, law: Law) -> None:
        for name in ("title", "short_name", "issuer", "promulgated_on", "effective_on"):
            self[name].data = getattr(law, name)
        self.kind.data = law.kind.value


class LawImportForm(LawMetaForm):
    # Left empty, the title is taken from the text's first line.
    title = StringField(
        "法规名称",
        validators=[Length(max=200)],
        description="不填时取全文的第一行（法规标题）",
        render_kw={"placeholder": "如：中华人民共和国行政处罚法"},
    )
    owner_unit_id = SelectField("所属法规库", coerce=int)
    text = TextAreaField(
        "粘贴法规全文",
        validators=[Length(max=TEXT_MAX, message="粘贴的文字过长")],
        render_kw={"rows": 12, "placeholder": "第一条　……\n第二条　……"},
    )
    file = FileField("或上传文件（.txt 或 .docx）", render_kw={"accept": ".txt,.docx"})


class LawSearchForm(QueryForm):
    q = SearchField("查找", render_kw={"placeholder": "法规名称或条文中的文字", "type": "search"})
    kind = SelectField("类别", choices=[SelectChoice("", "全部类别"), *KIND_CHOICES])
    versions = SelectField(
        "版本",
        choices=[SelectChoice("", "现行有效"), SelectChoice("all", "含已修改、已废止")],
    )
