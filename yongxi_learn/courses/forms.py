"""Forms of the course admin pages."""

from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import Form
from ..study.forms import AudienceMixin
from .models import MediaKind, PartKind


class CourseForm(AudienceMixin, Form):
    owner_unit_id = SelectField("组织单位", coerce=int)
    title = StringField("课程名称", validators=[DataRequired("请输入课程名称"), Length(max=200)])
    year = IntegerField("年度", validators=[InputRequired("请输入年度"), NumberRange(2000, 2100)])
    credit_hours = DecimalField(
        "学时", places=1, validators=[InputRequired("请输入学时"), NumberRange(0.1, 99.9)]
    )
    description = TextAreaField("简介", validators=[Optional(), Length(max=2000)])
    due_on = DateField("完成期限", validators=[Optional()])
    quiz_size = IntegerField(
        "测验题数",
        default=0,
        validators=[Optional(), NumberRange(0, 50)],
        description="从题库随机抽取；0表示不设测验",
    )
    quiz_pass_percent = IntegerField(
        "测验合格线（%）", default=60, validators=[Optional(), NumberRange(1, 100)]
    )
    quiz_law_ref = SelectField("测验题目范围", choices=[], validate_choice=False)


class PartForm(Form):
    """Only the fields of the chosen kind matter; the service checks what they point at."""

    kind = SelectField("内容类型", choices=[SelectChoice(k.value, k.label) for k in PartKind])
    title = StringField("标题（可不填）", validators=[Optional(), Length(max=200)])
    reading_id = SelectField("阅读任务", coerce=int, choices=[], validate_choice=False)
    law_id = SelectField("法规（现行有效）", coerce=int, choices=[], validate_choice=False)
    article_from = IntegerField("起始条（可不填）", validators=[Optional(), NumberRange(1, 9999)])
    article_to = IntegerField("结束条（可不填）", validators=[Optional(), NumberRange(1, 9999)])
    session_id = SelectField("集中学习", coerce=int, choices=[], validate_choice=False)
    media_kind = SelectField(
        "音视频类型", choices=[SelectChoice(k.value, k.label) for k in MediaKind]
    )
    media_file = FileField(
        "音视频文件",
        render_kw={"accept": ".mp3,.m4a,.mp4,audio/mpeg,audio/mp4,video/mp4"},
        description="音频：MP3或M4A(AAC)；视频：MP4(H.264)",
    )
