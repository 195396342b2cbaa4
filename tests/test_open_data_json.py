"""The open-data JSON files: the standard library's indented text, and a list made from its items' JSON texts has the
bytes of the list encoded whole."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from site_builder.opendata.exports import _list_item, _spliced, json_bytes, json_list_bytes, json_text
from site_builder.opendata.modeljson import json_value

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text())
values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4))
)


@given(st.lists(values, max_size=5))
def test_a_list_from_its_items_texts_is_the_list_encoded_whole(items: list[Any]) -> None:
    assert json_list_bytes([json_text(item) for item in items]) == json_bytes(items)


def stdlib_text(value: Any, indent: int = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=True)


odd_scalars = st.one_of(
    scalars, st.floats(), st.integers(min_value=-(10**30), max_value=10**30), st.text('"\\\n\t\u2028é€\x00\x1f')
)
odd_values = st.recursive(
    odd_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text('ab"\\é\n', max_size=3), inner, max_size=4),
    ),
    max_leaves=30,
)


@given(odd_values, st.sampled_from([1, 2, 4]))
def test_json_text_is_what_the_standard_library_writes(value: Any, indent: int) -> None:
    assert json_text(value, indent) == stdlib_text(value, indent)
    assert json_text(value) == stdlib_text(value)


def test_json_text_hands_values_it_does_not_know_to_the_standard_library() -> None:
    class Code(str):
        pass

    deep: list[Any] = []
    for _ in range(40):
        deep = [{"k": deep}]
    for value in ({2: "a", 1: True}, {"x": Code("y")}, [float("inf"), float("nan"), -float("inf")], deep):
        assert json_text(value) == stdlib_text(value)
    with pytest.raises(TypeError):
        json_text({"when": dt.date(2024, 1, 1)})
    with pytest.raises(TypeError):
        json_text({1: "a", "2": True})


class Point(BaseModel):
    value: float | None = None


class Vote(BaseModel):
    option: Literal["yes", "no"]
    count: int
    day: dt.date | None = None
    tags: dict[str, list[str]] = {}


class Case(BaseModel):
    title: str
    votes: list[Vote] = []
    points: list[Point] = []


def test_a_models_json_value_is_its_json_mode_dump() -> None:
    plain = Case(title='A "case"\n', votes=[Vote(option="yes", count=3, day=dt.date(2024, 5, 1), tags={"b": ["x"]})])
    infinite = Case(title="x", points=[Point(value=float("inf")), Point(value=float("nan")), Point()])
    for model in (plain, infinite, Vote(option="no", count=0)):
        assert json_text(json_value(model)) == stdlib_text(model.model_dump(mode="json"))


records = st.lists(st.dictionaries(st.sampled_from(["body", "title"]), values, max_size=2), min_size=1, max_size=6)


@given(records, st.data())
def test_a_list_with_edited_records_spliced_in_is_the_list_joined_anew(bodies: list[dict[str, Any]], data: Any) -> None:
    """serve puts an edited record into its type's list (tens of megabytes at 10,000 documents) in place of
    the old one, rather than joining the whole list again; the bytes must be the same."""
    before = [{"id": f"doc-{n}", **body} for n, body in enumerate(bodies)]
    edited = data.draw(st.sets(st.integers(0, len(before) - 1), min_size=1))
    after = [{**record, "body": data.draw(values)} if n in edited else record for n, record in enumerate(before)]
    old_items = [_list_item(json_text(record)) for record in before]
    new_items = [_list_item(json_text(record)) for record in after]
    replaced = [(old_items[n], new_items[n]) for n in sorted(edited)]
    assert _spliced(json_list_bytes([json_text(r) for r in before]), replaced) == json_list_bytes(
        [json_text(r) for r in after]
    )
    assert _spliced(json_list_bytes([json_text(r) for r in before]), [(None, new_items[0])]) is None
    missing = _list_item(json_text({"id": "doc-none"}))
    assert _spliced(json_list_bytes([json_text(r) for r in before]), [(missing, new_items[0])]) is None
