"""The renderer's resource loader: texts without tags or anchors are built
straight from the parser's nodes, and must give exactly what PyYAML's
constructor (then kustomize's scalar resolution) gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kustgen import yamlio
from kustgen.errors import InputError
from kustgen.render import yamlload


def by_constructor(text: str) -> Any:
    try:
        return [yamlload._finish(doc) for doc in
                yamlload._documents(text, yamlload._ResourceLoader, "f.yaml")]
    except (InputError, ValueError) as error:
        return ("error", str(error))


def by_nodes(text: str) -> Any:
    try:
        return yamlload._documents(text, yamlload._UntaggedLoader, "f.yaml", yamlload._built)
    except (InputError, ValueError) as error:
        return ("error", str(error))


TEXTS = [
    "a: 1\n", "a: '1'\n", "a: 0777\n", "a: 0o17\n", "a: 1e3\n", "a: 2024-01-01\n", "a: ~\n",
    "a: yes\n", "a: .inf\n", "{a: 1, b: [x, 'y', \"z\"]}\n", "- a\n- b\n", "",
    "---\n", "a: 1\n---\nb: 2\n", "a: |\n  x\n  y\n", "a: >-\n  x\n  y\n",
    "~: a\n'~': b\n", "'~': b\n~: a\n", "1: a\n'1': b\n01: c\n", "true: a\n'true': b\n",
    "null: a\nnull: b\n", "[a]: b\n", "{a: 1}: b\n", "<<: {a: 1}\n", "=: a\n",
    "a: 'it''s'\n", 'a: "\\u00e9\\t"\n', "a:\n  - b: 1\n    c: [1, 2.5, -3]\n",
    "a: *x\n", "a: [1, 2\n", "a: b: c\n", "\ta: 1\n", "a: 1 # comment\n",
    "a: -.5\n", "a: +12\n", "a: 0x1F\n", "a: 1_000\n", "a: 12:30\n",
    "a: 2001-12-14t21:59:43.10-05:00\n",
    "? a\n: b\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_nodes_give_what_the_constructor_gives(text: str) -> None:
    assert by_nodes(text) == by_constructor(text)


def test_tags_and_anchors_keep_to_the_constructor() -> None:
    assert yamlload.load_resources("a: !!int '3'\nb: &x [1]\nc: *x\n", "f.yaml") == [
        {"a": 3, "b": [1], "c": [1]}]


_plain = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=" \t\n:-#'\"~.0123456789eExyYnN_+&*!|>", max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(alphabet="ab1~:. '\"", max_size=4), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(alphabet="ab1~ '", max_size=4), _plain, max_size=4))
def test_written_documents_read_the_same_either_way(doc: dict[str, Any]) -> None:
    text = yamlio.dump(doc)
    if "!" in text or "&" in text:
        return
    assert by_nodes(text) == by_constructor(text)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab1~: -'\"\n[]{},#?0.", max_size=30))
def test_any_text_reads_the_same_either_way(text: str) -> None:
    assert by_nodes(text) == by_constructor(text)
