"""The open-data JSON files: a list made from its items' JSON texts has the bytes of the list encoded whole."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from site_builder.opendata.exports import json_bytes, json_list_bytes, json_text

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text())
values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4))
)


@given(st.lists(values, max_size=5))
def test_a_list_from_its_items_texts_is_the_list_encoded_whole(items: list[Any]) -> None:
    assert json_list_bytes([json_text(item) for item in items]) == json_bytes(items)
