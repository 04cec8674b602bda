from wtforms import BooleanField, DecimalField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..core.forms import Form

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
