"""Plain records: the part of `dataclasses` the package uses, at a fraction of its start-up cost.

`import dataclasses` brings in `inspect` (and with it `ast`, `dis`, `tokenize`), and each decorated
class compiles five or six methods and computes an `inspect.signature` for its docstring: about
15 ms of every `msb` start for the ~35 classes a conversion loads. Here each class compiles one
`__init__` (the per-instance hot path), when it is first instantiated, and shares generic
`__repr__`, `__eq__`, `__hash__` and frozen `__setattr__`. What the package relies on behaves as
with `dataclasses`: field order and defaults, `field(default_factory=..., repr=..., compare=...)`,
`__post_init__`, `frozen`, equality only between instances of the same class, frozen records
hashable by value, `replace()` and `asdict()`. tests/support/test_records.py compares them side by side.
"""
from __future__ import annotations

from operator import attrgetter

_MISSING = object()
_FIELDS = "__record_fields__"


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


class Field:
    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(self, default=_MISSING, default_factory=_MISSING, repr=True, compare=True):
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


def field(*, default=_MISSING, default_factory=_MISSING, repr: bool = True, compare: bool = True):
    return Field(default, default_factory, repr, compare)


def record(cls=None, /, *, frozen: bool = False):
    """Decorator: `@record` or `@record(frozen=True)`, as `@dataclass` would be written."""
    def wrap(cls):
        return _process(cls, frozen)
    return wrap if cls is None else wrap(cls)


def fields(obj_or_cls) -> tuple[Field, ...]:
    try:
        return getattr(obj_or_cls, _FIELDS)
    except AttributeError:
        raise TypeError("fields() takes a record or a record class") from None


def is_record(obj) -> bool:
    """A record class or instance (instances see their class's field list)."""
    return hasattr(obj, _FIELDS)


def replace(obj, /, **changes):
    """A copy of `obj` with some fields changed, built through `__init__` (so `__post_init__` runs)."""
    names = {f.name for f in fields(obj)}
    unknown = set(changes) - names
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    values = {f.name: getattr(obj, f.name) for f in fields(obj)}
    values.update(changes)
    return type(obj)(**values)


def asdict(obj) -> dict:
    """Records become dicts, recursively through lists, tuples and dicts; other values are kept."""
    if not is_record(obj) or isinstance(obj, type):
        raise TypeError("asdict() takes a record instance")
    return _plain(obj)


def _plain(value):
    if is_record(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):      # a namedtuple keeps its type
        return type(value)(*[_plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_plain(k), _plain(v)) for k, v in value.items())
    return value


def _own_fields(cls) -> list[Field]:
    found = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, _MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        spec.name = name
        if isinstance(value, Field):
            if spec.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        if isinstance(spec.default, (list, dict, set)):
            raise ValueError(f"mutable default {type(spec.default)} for field {name} is not allowed: "
                             "use default_factory")
        found.append(spec)
    return found


def _is_class_var(annotation) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__qualname__", "")
    return text.startswith(("ClassVar", "typing.ClassVar")) or text == "ClassVar"


def _process(cls, frozen: bool):
    inherited: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for spec in base.__dict__.get(_FIELDS, ()):
            inherited[spec.name] = spec
    for spec in _own_fields(cls):
        inherited[spec.name] = spec
    specs = tuple(inherited.values())
    _check_order(specs)
    setattr(cls, _FIELDS, specs)
    compared = [s.name for s in specs if s.compare]
    # the compared fields as one tuple, read in C: hashing frozen records as dict keys is a hot path
    cls.__record_key__ = attrgetter(*compared) if len(compared) > 1 else \
        (lambda self, name=compared[0]: (getattr(self, name),)) if compared else (lambda self: ())
    own = cls.__dict__
    if "__init__" not in own:
        cls.__init__ = _first_init(cls, specs, frozen)
    if "__repr__" not in own:
        cls.__repr__ = _repr
    if "__eq__" not in own:
        cls.__eq__ = _eq
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    if not explicit_hash:
        cls.__hash__ = _hash if frozen else None
    if frozen:
        if "__setattr__" in own or "__delattr__" in own:
            raise TypeError(f"cannot overwrite __setattr__ or __delattr__ of frozen record {cls.__name__}")
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
    cls.__match_args__ = tuple(s.name for s in specs)
    return cls


def _check_order(specs: tuple[Field, ...]) -> None:
    seen_default = False
    for spec in specs:
        has_default = spec.default is not _MISSING or spec.default_factory is not _MISSING
        if seen_default and not has_default:
            raise TypeError(f"non-default argument {spec.name!r} follows default argument")
        seen_default = seen_default or has_default


def _first_init(cls, specs: tuple[Field, ...], frozen: bool):
    """An `__init__` that compiles the real one when the class is first instantiated: most of the
    records a module defines are never built in a given run, and each compile costs ~0.1 ms."""
    def __init__(self, *args, **kwargs):
        real = _make_init(cls, specs, frozen)
        if cls.__dict__.get("__init__") is __init__:
            cls.__init__ = real
        real(self, *args, **kwargs)
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _make_init(cls, specs: tuple[Field, ...], frozen: bool):
    """Compiles `__init__(self, a, b=<default>, c=<factory>)`: one compile per class, fast per instance."""
    params, body, namespace = [], [], {"_MISSING": _MISSING, "_set": object.__setattr__}
    for spec in specs:
        name = spec.name
        if spec.default is not _MISSING:
            namespace[f"_d_{name}"] = spec.default
            params.append(f"{name}=_d_{name}")
            value = name
        elif spec.default_factory is not _MISSING:
            namespace[f"_f_{name}"] = spec.default_factory
            params.append(f"{name}=_MISSING")
            value = f"_f_{name}() if {name} is _MISSING else {name}"
        else:
            params.append(name)
            value = name
        body.append(f"_set(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + ("\n    ".join(body) or "pass")
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


def _values(obj) -> tuple:
    return type(obj).__record_key__(obj)


def _repr(self) -> str:
    shown = ", ".join(f"{s.name}={getattr(self, s.name)!r}" for s in getattr(self, _FIELDS) if s.repr)
    return f"{type(self).__qualname__}({shown})"


def _eq(self, other):
    if other.__class__ is self.__class__:
        return _values(self) == _values(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(_values(self))


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")
