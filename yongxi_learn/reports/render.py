"""Rendering a report template in a sandbox, noting every figure it prints.

An admin's template is Jinja run in ``ImmutableSandboxedEnvironment``: no underscore
attributes, no mutation, and (see ``is_safe_attribute``) no attribute at all except on
the plain values the context is made of — so a template cannot walk from a figure to
the database session or to Python internals.

Nor can it exhaust the server (issue #22: nested loops, ``'x' * N`` and ``**`` once held
a worker for 60 s). A report section is a few thousand characters printed from a few
dozen figures, so a rendering is held to what that needs:

- no ``include``/``import``/``extends`` (there is nothing else a template may read);
- ``range()`` of at most ``MAX_RANGE`` numbers, at most ``MAX_STEPS`` loop steps in all;
- no string or list (repeated, joined, concatenated, written as a literal) of more than
  ``MAX_VALUE`` characters and items, no integer of more than ``MAX_INT_BITS`` bits
  (``**`` and ``*`` are checked before they compute), no ``%`` formatting of strings;
- at most ``MAX_OUTPUT`` characters printed in all, macros and ``set`` blocks included;
- only the filters listed in ``FILTERS`` (``center(10**9)`` and the like are not);
- and ``SECONDS`` of wall-clock time, checked at every loop step, call, operator and
  output, which also ends deep or exponential macro recursion.

Loop steps, printed output, concatenations and literals are counted by wrapping them
in filters of our own when the template is parsed (``_Bounds``); operators and calls go
through the sandbox's ``call_binop`` and ``call`` hooks. Whatever goes wrong is a
``TemplateRefused`` with a Chinese message, never another exception.
"""

import itertools
import time
from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateError, nodes, pass_context
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace
from jinja2.visitor import NodeTransformer

from . import phrasing

SECONDS = 1.0
MAX_RANGE = 1_000
MAX_STEPS = 10_000
MAX_VALUE = 20_000
MAX_OUTPUT = 100_000
MAX_INT_BITS = 256


class TemplateRefused(Exception):
    """The template cannot be rendered; the message is shown to the admin."""


class _Exceeded(Exception):
    """A bound was reached; the message says which, in the admin's words."""


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

# Filters that cannot make a value much bigger than the one they are given (join is
# ours, sized before it joins); the default template needs none of them.
FILTERS = frozenset(
    {
        "abs",
        "count",
        "d",
        "default",
        "e",
        "escape",
        "first",
        "float",
        "int",
        "last",
        "length",
        "lower",
        "max",
        "min",
        "round",
        "string",
        "trim",
        "upper",
    }
)


def _size(value, limit: int = MAX_VALUE) -> int:
    """Characters of the strings in a value plus one per item, counted to past limit."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, Figure):
            total += len(item.text)
        elif isinstance(item, range):
            total += len(item)
        elif isinstance(item, dict):
            total += 1
            stack.extend(itertools.islice(itertools.chain.from_iterable(item.items()), limit))
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 1
            stack.extend(itertools.islice(item, limit))
        else:
            total += 1
    return total


def _too_big() -> _Exceeded:
    return _Exceeded(f"模板生成的字符串或列表过大（超过{MAX_VALUE}个字符或项），超出报告所需")


def _sized(value):
    if _size(value) > MAX_VALUE:
        raise _too_big()
    return value


def _bounded_range(*args) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _Exceeded(f"range()最多{MAX_RANGE}个数，超出报告所需")
    return numbers


def _int_bits(value) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


class _Environment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, seconds: float, **options):
        super().__init__(**options)
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.steps = 0
        self.printed = 0
        self.filters = {name: JINJA_FILTERS[name] for name in FILTERS}
        self.filters.update(
            approx=phrasing.approx,
            join=self._join,
            _step=self._step,
            _print=self._print,
            _sized=self._sized,
            _concat=self._concat,
        )
        # No lipsum(n): everything else a template may call is small by nature.
        self.globals = {
            "range": _bounded_range,
            "namespace": Namespace,
            "dict": dict,
            "cycler": Cycler,
            "joiner": Joiner,
        }

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Exceeded(f"模板运行超过{self.seconds:g}秒，已停止（请检查循环和宏）")

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if not isinstance(obj, SAFE_TYPES) or attr.startswith("_") or callable(value):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def call(__self, __context, __obj, *args, **kwargs):
        __self.tick()
        return _sized(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context, operator, left, right):
        self.tick()
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1 and _int_bits(left) * right > MAX_INT_BITS:
                raise _Exceeded(f"模板中的乘方结果超过{MAX_INT_BITS}位，超出报告所需")
        elif operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                if _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
                    raise _Exceeded(f"模板中的乘积超过{MAX_INT_BITS}位，超出报告所需")
            else:
                count, repeated = (left, right) if isinstance(left, int) else (right, left)
                if (
                    isinstance(count, int)
                    and count > 0
                    and _size(repeated, MAX_VALUE // count + 1) * count > MAX_VALUE
                ):
                    raise _too_big()
        elif operator == "+":
            if _size(left) + _size(right) > MAX_VALUE:
                raise _too_big()
        elif operator == "%" and isinstance(left, str):
            raise _Exceeded("模板不能用%格式化字符串")
        return super().call_binop(context, operator, left, right)

    # Filters the parsed template is wrapped in (see _Bounds). pass_context keeps Jinja
    # from running them once when it compiles instead of at every step.

    @pass_context
    def _step(self, context, iterable):
        for item in iterable:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise _Exceeded(f"模板的循环共超过{MAX_STEPS}次，超出报告所需")
            self.tick()
            yield item

    @pass_context
    def _print(self, context, value):
        self.tick()
        if value is not None:
            self.printed += len(str(value))
            if self.printed > MAX_OUTPUT:
                raise _Exceeded(f"模板生成的文字超过{MAX_OUTPUT}字，超出报告所需")
        return value

    @pass_context
    def _sized(self, context, value):
        self.tick()
        return _sized(value)

    @pass_context
    def _concat(self, context, parts):
        self.tick()
        texts = [str(part) for part in parts]
        if sum(len(text) for text in texts) > MAX_VALUE:
            raise _too_big()
        return "".join(texts)

    @pass_context
    def _join(self, context, value, d="", attribute=None):
        self.tick()
        if attribute is not None:
            value = [self.getitem(item, attribute) for item in value]
        texts = [str(item) for item in itertools.islice(value, MAX_VALUE + 1)]
        if len(texts) * len(str(d)) + sum(len(text) for text in texts) > MAX_VALUE:
            raise _too_big()
        return str(d).join(texts)


def _wrap(node: nodes.Expr, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


class _Bounds(NodeTransformer):
    """Routes every loop, printed piece, literal and ``~`` through the counting filters."""

    def visit_For(self, node):
        node = self.generic_visit(node)
        node.iter = _wrap(node.iter, "_step")
        return node

    def visit_Output(self, node):
        node = self.generic_visit(node)
        node.nodes = [_wrap(child, "_print") for child in node.nodes]
        return node

    def visit_Concat(self, node):
        node = self.generic_visit(node)
        return _wrap(nodes.List(node.nodes, lineno=node.lineno), "_concat")

    def _literal(self, node):
        node = self.generic_visit(node)
        return node if getattr(node, "ctx", "load") != "load" else _wrap(node, "_sized")

    visit_List = visit_Tuple = visit_Dict = _literal


REFERENCES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


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


def render(source: str, context: dict, *, seconds: float = SECONDS) -> Rendered:
    collector = _Collector()
    # StrictUndefined: a refused attribute or a misspelt name is an error, not "".
    env = _Environment(
        seconds,
        finalize=collector.finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    try:
        tree = env.parse(source)
        if next(tree.find_all(REFERENCES), None) is not None:
            raise TemplateRefused("模板不能引用其他模板（include、import、extends）")
        template = env.from_string(_Bounds().visit(tree))
        env.deadline = time.monotonic() + seconds  # compiling is not the template's time
        text = template.render(**context)
    except TemplateRefused:
        raise
    except _Exceeded as exc:
        raise TemplateRefused(str(exc)) from exc
    except SecurityError as exc:
        raise TemplateRefused(f"模板使用了不允许的内容：{exc}") from exc
    except TemplateError as exc:
        raise TemplateRefused(f"模板有误：{exc}") from exc
    except RecursionError as exc:
        raise TemplateRefused("模板中的宏调用层次过深") from exc
    except MemoryError as exc:
        raise TemplateRefused("模板占用内存过多，超出报告所需") from exc
    except Exception as exc:  # whatever a template does wrong, never a 500
        raise TemplateRefused(f"模板有误：{type(exc).__name__}: {exc}") from exc
    return Rendered(tidy(text), collector.figures)


def tidy(text: str) -> str:
    """Paragraphs as non-empty lines, without stray spaces around them."""
    lines = (line.strip() for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)
