"""Helpers for the org tests, imported by name."""

import io

import openpyxl

PEOPLE_HEADERS = ("姓名", "手机号", "单位", "人员类别", "职务")


def xlsx(rows, headers=PEOPLE_HEADERS, sheet="人员") -> bytes:
    """A workbook of one sheet: ``headers`` then ``rows``."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def person_form(unit, **overrides) -> dict:
    return {
        "name": "李四",
        "phone": "13800138000",
        "unit_id": unit.id,
        "category": "official",
        "post": "科员",
        **overrides,
    }
