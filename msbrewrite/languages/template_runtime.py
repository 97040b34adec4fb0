"""What the compiled templates (templates/compiled.py) call at render time: Jinja's reading of
`a.b`, `a[b]`, `{{ a }}` and a missing name (StrictUndefined), and the context they render with.
Jinja itself is not imported: these few rules are all the templates use of it."""
from __future__ import annotations


class UndefinedError(Exception):
    """A template used a value the renderer was not given (Jinja's StrictUndefined)."""


class Undefined:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def _fail(self, *_):
        raise UndefinedError(f"{self.name!r} is undefined")

    __bool__ = __str__ = __iter__ = __len__ = __getattr__ = __getitem__ = __eq__ = __lt__ = __gt__ = _fail
    __hash__ = None


class Context(dict):
    """The variables a compiled template reads, with the filters it calls beside them."""

    def __init__(self, values: dict, filters: dict):
        super().__init__(values)
        self.filters = filters


def attr(obj, name):
    """`obj.name` as Jinja reads it: the attribute, else the item, else undefined."""
    if isinstance(obj, Undefined):
        obj._fail()
    try:
        return getattr(obj, name)
    except AttributeError:
        pass
    try:
        return obj[name]
    except (TypeError, LookupError):
        return Undefined(name)


def item(obj, key):
    """`obj[key]` as Jinja reads it: the item, else (for a string key) the attribute, else undefined."""
    if isinstance(obj, Undefined):
        obj._fail()
    try:
        return obj[key]
    except (AttributeError, TypeError, LookupError):
        if isinstance(key, str):
            try:
                return getattr(obj, key)
            except AttributeError:
                pass
    return Undefined(repr(key))


def text(value):
    if isinstance(value, Undefined):
        value._fail()
    return str(value)


def lookup(ctx, name):
    return ctx[name] if name in ctx else Undefined(name)
