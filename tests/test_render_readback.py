"""Files kustgen dumped in the same process are read back from their data
(``kustgen.render.readback``) instead of parsed: the renderer must get exactly
what parsing the text gives -- the same values, the same types (1 is not 1.0
nor True), the same key order -- on tricky scalars and on whole clusters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kustgen import yamlio
from kustgen.fleet import Fleet, as_fleet
from kustgen.layout import layout
from kustgen.render import RenderCache, render
from kustgen.render.cache import SHARED
from kustgen.render.readback import read_back
from kustgen.render.yamlload import load_patch_documents, load_resources

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synthetic


def exactly(value: Any) -> Any:
    """``value`` with every type and key order spelled out, for strict comparison."""
    if isinstance(value, dict):
        return ("dict", [(exactly(k), exactly(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [exactly(v) for v in value])
    return (type(value).__name__, value)


def parsed(text: str, reader: Any = load_resources) -> Any:
    """What ``reader`` gives for ``text`` when it has to parse it."""
    kept = dict(yamlio._DUMPED)
    yamlio.forget_dumped()
    try:
        return reader(text, "f.yaml")
    finally:
        for known, snapshot in kept.items():
            yamlio._DUMPED[known] = snapshot


TRICKY = [
    "0777", "0o17", "0x1F", "0b101", "08", "1_000", "12:30", "1e3", "1E3", "1.0", ".5", "-.5",
    "+12", "-0", "1.", "1e+21", "yes", "no", "on", "off", "y", "n", "Y", "true", "True",
    "FALSE", "~", "null", "Null", "", " ", "-", "- a", "? a", ":", "a: b", "a:b", "#x", "a #x",
    "&a", "*a", "!x", "!!str 5", "|", ">", "'", '"', "%x", "@x", "`x", "[a]", "{a: 1}", "a,b",
    "2024-01-01", "2024-1-1", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
    ".inf", "-.Inf", ".nan", "=", "<<", "a\nb", "a\nb\n", "a\n\n", "\n", " a", "a ", "a\t",
    "x" * 100, "word " * 30, "\u00e9t\u00e9", "\u2028", "a\u2029", "\ufeffa", "\U0001f600",
    "\x00", "\x1b", "a\r\nb",
]
NUMBERS = [0, 1, -1, 2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**63) - 1, 10**30, 0.0, -0.0,
           1.0, 1.5, -2.5, 1e21, 1e20, 1.5e300, 5e-324, 1e-7, 123456789.125, 2.0**64, True,
           False, None]


def _scalars() -> st.SearchStrategy[Any]:
    return (st.sampled_from(TRICKY) | st.sampled_from(NUMBERS) | st.none() | st.booleans()
            | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(alphabet=" \t\n:-#'\"~.0123456789eExyYnN_+&*!|>\u00e9\u2028", max_size=8))


_keys = st.sampled_from(TRICKY) | st.text(alphabet="ab1~:. '\"\n#-", max_size=5)
_documents = st.recursive(
    _scalars(),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner)
    | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=8,
)


def _dumped(doc: Any) -> str | None:
    try:
        return yamlio.dump_file(doc)
    except Exception:  # what kustgen refuses to write is not read back
        return None


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(_keys, _documents, max_size=3))
def test_a_dumped_document_reads_back_as_parsing_it_gives(doc: dict[str, Any]) -> None:
    text = _dumped(doc)
    if text is None:
        return
    try:
        expected = ("ok", exactly(parsed(text)))
    except Exception as error:
        expected = ("error", str(error))
    try:
        got = ("ok", exactly(load_resources(text, "f.yaml")))
    except Exception as error:
        got = ("error", str(error))
    agree = got == expected  # compared here: the assertion hook would print both whole
    assert agree, (got, expected)


@pytest.mark.parametrize("value", TRICKY + NUMBERS, ids=repr)
def test_each_tricky_scalar_reads_back_as_parsing_it_gives(value: Any) -> None:
    for doc in ({"k": value, value if isinstance(value, str) else "v": [value]},
                [{"op": "add", "path": "/a", "value": value}]):
        text = _dumped(doc)
        if text is None:
            continue
        if isinstance(doc, dict):
            assert exactly(load_resources(text, "f.yaml")) == exactly(parsed(text))
        assert exactly(load_patch_documents(text, "f.yaml")) == exactly(
            parsed(text, load_patch_documents))


def test_ordinary_objects_are_read_back_not_parsed() -> None:
    doc = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "a"},
           "data": {"mode": "0777", "on": "yes", "n": "1e3", "text": "a\nb\n"},
           "spec": {"replicas": 2, "ratio": 1.0, "big": 2**64 - 1, "none": None}}
    text = yamlio.dump_file(doc)
    back = read_back(yamlio.dumped_from(text))
    assert back is not None  # the fast path is taken ...
    assert exactly(back) == exactly(parsed(text))  # ... and agrees with parsing
    assert list(back[0]) == ["apiVersion", "data", "kind", "metadata", "spec"]
    assert back[0]["spec"]["ratio"] == 1 and type(back[0]["spec"]["ratio"]) is int
    back[0]["metadata"]["name"] = "changed"  # what the renderer gets is its own copy
    assert load_resources(text, "f.yaml")[0]["metadata"]["name"] == "a"


def test_what_cannot_read_back_exactly_is_parsed() -> None:
    class Mode(str):
        pass

    # An integer beyond 64 bits (kubectl reads it as a float); a str subclass
    # (not snapshotted at all).
    for doc in ({"kind": "X", "n": 2**64}, {"kind": "X", "mode": Mode("on")}):
        text = yamlio.dump_file(doc)
        written = yamlio.dumped_from(text)
        assert written is None or read_back(written) is None
        assert exactly(load_resources(text, "f.yaml")) == exactly(parsed(text))


def test_a_snapshot_is_taken_when_dumped() -> None:
    doc = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "a"}, "data": {}}
    text = yamlio.dump_file(doc)
    doc["data"]["added"] = "later"  # the caller changes its data after dumping
    assert load_resources(text, "f.yaml") == parsed(text)


def _renders(fleet: Fleet) -> list[tuple[str, Any, str]]:
    """Every environment of ``fleet`` rendered from a fresh layout, fresh caches."""
    files = layout(fleet)
    read_back_files = [text for path, text in files.items() if path.startswith("bases/")
                       and yamlio.dumped_from(text) is not None]
    assert bool(read_back_files) == (yamlio.DUMPED_LIMIT > 0)
    cache = RenderCache()
    found = []
    for overlay in fleet.overlays:
        objects = render(files, f"overlays/{overlay.name}", cache=cache)
        found.append((overlay.name, exactly(objects), yamlio.dump_all(objects)))
    return found


def _clusters() -> list[tuple[str, Any]]:
    from kustgen.default import fleet

    return [("default", lambda: fleet), ("synthetic", lambda: synthetic.cluster_of(4)),
            ("targeted", lambda: synthetic.targeted_of(3)),
            ("environments", lambda: synthetic.environments_of(3))]


@pytest.mark.parametrize(("name", "make"), _clusters(), ids=[n for n, _ in _clusters()])
def test_clusters_render_the_same_read_back_or_parsed(
        name: str, make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _renders(as_fleet(make()))
    with monkeypatch.context() as patch:
        yamlio.forget_dumped()
        SHARED.clear()  # nothing rendered before is answered from memory
        patch.setattr(yamlio, "DUMPED_LIMIT", 0)
        slow = _renders(as_fleet(make()))  # an Environment's planner renders again too
    assert fast == slow
    assert fast
