"""Rendering a report template in a sandbox, noting every figure it prints.

An admin's template is Jinja run in ``ImmutableSandboxedEnvironment``: no underscore
attributes, no mutation, and (see ``is_safe_attribute``) no attribute at all except on
the plain values the context is made of — so a template cannot walk from a figure to
the database session or to Python internals.
"""

from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

from . import phrasing


class TemplateRefused(Exception):
    """The template cannot be rendered; the message is shown to the admin."""


@dataclass(frozen=True)
class Figure:
    """A number as the report prints it ("8次", "200余人次", "100%"), the stat it comes
    from, and the page listing the people behind it."""

    key: str
    label: str
    text: str
    list_url: str = ""

    def __str__(self) -> str:
        return self.text

    def as_json(self) -> dict:
        return {"key": self.key, "label": self.label, "text": self.text, "list": self.list_url}


# What a template may read attributes of (public, non-callable ones only): figures, and
# the namespace() a template keeps its own counters in, and a for loop's loop.last.
# Dicts are read by key.
SAFE_TYPES = (Figure, Namespace, LoopContext)


class _Environment(ImmutableSandboxedEnvironment):
    def is_safe_attribute(self, obj, attr, value) -> bool:
        if not isinstance(obj, SAFE_TYPES) or attr.startswith("_") or callable(value):
            return False
        return super().is_safe_attribute(obj, attr, value)


class _Collector:
    def __init__(self):
        self.figures: list[Figure] = []

    def finalize(self, value):
        if isinstance(value, Figure):
            self.figures.append(value)
        return "" if value is None else value


@dataclass(frozen=True)
class Rendered:
    text: str
    figures: list[Figure]


def render(source: str, context: dict) -> Rendered:
    collector = _Collector()
    # StrictUndefined: a refused attribute or a misspelt name is an error, not "".
    env = _Environment(
        finalize=collector.finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(approx=phrasing.approx)
    try:
        text = env.from_string(source).render(**context)
    except SecurityError as exc:
        raise TemplateRefused(f"模板使用了不允许的内容：{exc}") from exc
    except TemplateError as exc:
        raise TemplateRefused(f"模板有误：{exc}") from exc
    return Rendered(tidy(text), collector.figures)


def tidy(text: str) -> str:
    """Paragraphs as non-empty lines, without stray spaces around them."""
    lines = (line.strip() for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)
