"""``model.evolve``: ``dataclasses.replace`` for the stages' frozen values, without the
per-call cost of ``replace`` (which walks the fields and calls ``__init__``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from functools import cached_property

import pytest

from counterpoint import model
from counterpoint.model import evolve


def test_evolve_makes_what_replace_makes_for_every_value_of_the_model() -> None:
    for cls in vars(model).values():
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__):
            continue
        values = {f.name: f"{f.name}!" for f in dataclasses.fields(cls) if f.init}
        original = cls(**values)
        name = dataclasses.fields(cls)[0].name
        changed = evolve(original, **{name: "new"})
        assert changed == replace(original, **{name: "new"}), cls
        assert type(changed) is cls and getattr(original, name) == f"{name}!"  # the original is untouched
        if cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(changed, name, "again")


def test_evolve_refuses_a_field_the_value_does_not_have() -> None:
    @dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0

    with pytest.raises(TypeError, match="'z'"):
        evolve(Point(1), z=2)


def test_evolve_runs_post_init_and_honours_slots_as_replace_does() -> None:
    @dataclass(frozen=True)
    class Checked:
        x: int
        double: int = field(init=False, default=0)

        def __post_init__(self) -> None:
            object.__setattr__(self, "double", 2 * self.x)

    @dataclass(frozen=True, slots=True)
    class Slotted:
        x: int

    assert evolve(Checked(1), x=5).double == 10
    assert evolve(Slotted(1), x=5) == Slotted(5)


def test_evolve_does_not_carry_a_cached_property_of_the_old_value() -> None:
    @dataclass(frozen=True)
    class Named:
        first: str

        @cached_property
        def shout(self) -> str:
            return self.first.upper()

    old = Named("ana")
    assert old.shout == "ANA"
    assert evolve(old, first="bob").shout == "BOB"
