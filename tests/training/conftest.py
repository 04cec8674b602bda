from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, Role
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.training import services
from yongxi_learn.training.models import KindCode, TrainingKind

# A fixed moment (UTC) for service-level tests: 2024-06-12 10:00 Beijing time.
NOON = datetime(2024, 6, 12, 2, 0)


@pytest.fixture
def kinds(app):
    services.ensure_default_kinds()
    db.session.commit()
    return {k.code: k for k in services.kinds() if k.code}


@pytest.fixture
def make_session(kinds, tree):
    def make(
        owner=None,
        *,
        kind=KindCode.TOPIC,
        topic="学习《中华人民共和国行政复议法》",
        starts_at=NOON,
        minutes=120,
        hours="2",
        audience=None,
        external=False,
    ):
        data = services.SessionData(
            kind_id=kinds[kind].id if not isinstance(kind, TrainingKind) else kind.id,
            topic=topic,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            hours=Decimal(hours),
            lecturer="王律师" if external else "",
            lecturer_external=external,
            audience=audience if audience is not None else {"units": [tree["town"].id]},
        )
        session = services.create_session(owner or tree["town"], data, actor=SYSTEM)
        db.session.commit()
        return session

    return make


@pytest.fixture
def cadre(make_user, tree):
    return make_user("村干部甲", tree["village"], category=Category.VILLAGE_CADRE)


@pytest.fixture
def other_village_admin(make_user, tree):
    return make_user("红岩村管理员", tree["village2"], roles=[(Role.UNIT_ADMIN, tree["village2"])])
