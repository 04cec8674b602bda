"""Helpers for the training tests: a valid session form, imported by name."""

from yongxi_learn.training.models import KindCode


def session_form(kinds, tree, **overrides):
    data = {
        "owner_unit_id": tree["town"].id,
        "kind_id": kinds[KindCode.EXPERT].id,
        "topic": "新修订《行政复议法》解读",
        "starts_at": "2024-06-12T14:30",
        "ends_at": "2024-06-12T16:30",
        "place": "镇政府三楼会议室",
        "lecturer": "区司法局 李律师",
        "lecturer_external": "y",
        "laws": "《中华人民共和国行政复议法》",
        "hours": "2",
        "audience_units": [str(tree["town"].id)],
        "audience_categories": ["official", "leader"],
        "audience_phones": "",
        "notes": "",
    }
    data.update(overrides)
    return data
