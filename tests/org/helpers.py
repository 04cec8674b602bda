"""Helpers for the org tests, imported by name."""


def person_form(unit, **overrides) -> dict:
    return {
        "name": "李四",
        "phone": "13800138000",
        "unit_id": unit.id,
        "category": "official",
        "post": "科员",
        **overrides,
    }
