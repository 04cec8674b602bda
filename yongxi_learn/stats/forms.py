from wtforms import BooleanField, DecimalField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..core.forms import Form
from ..org.models import Category

PERCENT = [Optional(), NumberRange(0, 100, "须为0至100之间的数")]


class ThresholdForm(Form):
    year = IntegerField("年度", validators=[InputRequired("请输入年度"), NumberRange(2000, 2100)])
    participation = DecimalField(
        "参考率不低于（%）", places=None, validators=PERCENT, description="含补考；不填则不要求"
    )
    pass_rate = DecimalField(
        "通过率不低于（%）",
        places=None,
        validators=PERCENT,
        description="通过人数/参考人数，含补考；不填则不要求",
    )
    villages = DecimalField(
        "村（社区）集中学习覆盖率不低于（%）",
        places=None,
        validators=PERCENT,
        description="有“两委”干部参加集中学习的村（社区）/村（社区）数；不填则不要求",
    )
    leaders_chosen = BooleanField("领导干部全部完成“2+1”选学")


class CreditTargetForm(Form):
    """One 学时 target per 人员类别 (``stats.credits.set_targets`` checks the values)."""

    year = IntegerField("年度", validators=[InputRequired("请输入年度"), NumberRange(2000, 2100)])


for _category in Category:
    setattr(
        CreditTargetForm,
        _category.value,
        StringField(
            f"{_category.label}（学时）",
            validators=[Optional(), Length(max=10)],
            description="不填则该类人员不设目标",
        ),
    )
