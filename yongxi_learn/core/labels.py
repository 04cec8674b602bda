"""Enums whose members carry the Chinese label people read for them."""

import enum


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members are declared ``NAME = "value", "标签"``. The value is what
    the database stores (never change one: rows hold it); the label is what is shown."""

    _label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return self._label

    @classmethod
    def labels(cls) -> dict:
        """Each member's label, in the order of declaration (choices, templates)."""
        return {member: member.label for member in cls}
