"""support.records behaves like dataclasses for everything the package uses: the same class body
decorated both ways must construct, compare, hash, print, copy and convert alike."""
from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import ClassVar

import pytest
from hypothesis import given, strategies as st

from msbrewrite.support import records
from msbrewrite.support.records import FrozenInstanceError, asdict, field, record, replace


def _pair(frozen: bool):
    def with_fields(deco, fld):
        class Point:
            name: str
            x: int = 0
            tags: list[str] = fld(default_factory=list)
            seen: set[str] = fld(default_factory=set, repr=False, compare=False)
            note: str | None = fld(default=None, compare=False, repr=False)
            limit: ClassVar[int] = 5
        return deco(Point)

    ours = with_fields(record(frozen=frozen), field)
    theirs = with_fields(dataclasses.dataclass(frozen=frozen), dataclasses.field)
    return ours, theirs


@pytest.mark.parametrize("frozen", [False, True])
@given(name=st.text(max_size=5), x=st.integers(), tags=st.lists(st.text(max_size=3), max_size=3),
       other_x=st.integers())
def test_construction_equality_repr_and_hash_match_dataclasses(frozen, name, x, tags, other_x):
    Ours, Theirs = _pair(frozen)
    a, b = Ours(name, x, tags=tags), Theirs(name, x, tags=tags)
    assert repr(a).replace("Point", "P") == repr(b).replace("Point", "P")
    assert (a == Ours(name, other_x, tags=list(tags))) == (b == Theirs(name, other_x, tags=list(tags)))
    assert a == Ours(name, x, list(tags), {"ignored"}, "ignored too")    # compare=False fields
    assert a != b and b != a                      # never equal to another class
    assert asdict(a) == dataclasses.asdict(b)
    assert replace(a, x=other_x).x == dataclasses.replace(b, x=other_x).x == other_x
    if frozen:
        assert hash(Ours(name, x, tags=tuple(tags))) == hash(Theirs(name, x, tags=tuple(tags)))
    else:
        assert Ours.__hash__ is None and Theirs.__hash__ is None


def test_defaults_and_factories_give_each_instance_its_own_value():
    Ours, _ = _pair(False)
    one, two = Ours("a"), Ours("b")
    one.tags.append("t")
    assert two.tags == [] and one.x == 0 and one.note is None
    assert Ours.x == 0 and not hasattr(Ours, "tags") and Ours.limit == 5
    assert [f.name for f in records.fields(Ours)] == ["name", "x", "tags", "seen", "note"]


def test_frozen_records_refuse_assignment_and_hash_by_value():
    Ours, _ = _pair(True)
    p = Ours("a", 1)
    with pytest.raises(FrozenInstanceError):
        p.x = 2
    with pytest.raises(AttributeError):
        del p.name
    assert hash(Ours("a", 1, ("t",))) == hash(Ours("a", 1, ("t",)))
    assert len({Ours("a", 1, ("t",)), Ours("a", 1, ("t",))}) == 1


def test_wrong_arguments_fail_like_a_function_call():
    Ours, _ = _pair(False)
    with pytest.raises(TypeError):
        Ours()
    with pytest.raises(TypeError):
        Ours("a", 1, [], set(), None, "one too many")
    with pytest.raises(TypeError):
        Ours("a", nope=1)
    with pytest.raises(TypeError):
        replace(Ours("a"), nope=1)


def test_class_body_mistakes_are_refused():
    with pytest.raises(TypeError):
        @record
        class Bad:
            a: int = 1
            b: int
    with pytest.raises(ValueError):
        @record
        class Shared:
            items: list = []   # noqa: RUF012 - the mistake under test


def test_post_init_inheritance_and_own_methods():
    @record
    class Base:
        a: int
        seen: list = field(default_factory=list)

        def __post_init__(self):
            self.seen.append(self.a)

    @record
    class Child(Base):
        b: str = "x"

        def __repr__(self):
            return "custom"

    c = Child(1)
    assert (c.a, c.b, c.seen) == (1, "x", [1])
    assert repr(c) == "custom"
    assert replace(c, b="y").seen == [1, 1]       # as with dataclasses: the list is shared, __post_init__ ran again
    assert Child.__match_args__ == ("a", "seen", "b")


def test_records_survive_pickle_and_copy():
    # the bulk runner sends results between processes
    p = _Module(1, ["t"])
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.deepcopy(p) == p and copy.copy(p) == p
    f = _Frozen("a")
    assert pickle.loads(pickle.dumps(f)) == f and copy.deepcopy(f) == f


def test_asdict_recurses_through_containers():
    outer = _Module(2, [_Frozen("in")])
    assert asdict(outer) == {"x": 2, "items": [{"name": "in"}]}
    with pytest.raises(TypeError):
        asdict(_Module)


@record
class _Module:
    x: int
    items: list = field(default_factory=list)


@record(frozen=True)
class _Frozen:
    name: str


def test_a_subclass_that_is_not_a_record_builds_through_the_parents_init():
    class Plain(_Module):
        pass

    fresh = record(type("Fresh", (), {"__annotations__": {"a": "int"}}))
    assert Plain(3).x == 3 and Plain(3) != _Module(3)       # another class: not equal
    assert fresh(1).a == 1 and fresh(a=2).a == 2
