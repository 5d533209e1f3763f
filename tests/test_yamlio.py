"""kustgen.yamlio must print exactly what `kubectl kustomize` prints.

The oracle is kubectl itself (fixtures in conftest.py: skipped with a reason
when kubectl or ../shared is missing, failing instead under CI=true).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kustgen import yamlemit, yamlio
from kustgen.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["libyaml", "python"])
def emitter(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a test on libyaml's C emitter and on the pure-Python emitter."""
    if request.param == "libyaml" and yamlemit._CEmitter is None:
        pytest.skip("PyYAML has no libyaml here")
    saved = yamlio.use_libyaml
    yamlio.use_libyaml = request.param == "libyaml"
    try:
        yield request.param
    finally:
        yamlio.use_libyaml = saved


def _both_paths(fn: Any, *args: Any) -> tuple[str, str]:
    saved = yamlio.use_libyaml
    try:
        yamlio.use_libyaml = True
        c = fn(*args)
        yamlio.use_libyaml = False
        py = fn(*args)
    finally:
        yamlio.use_libyaml = saved
    return c, py


# ---------------------------------------------------------------------------
# kubectl as the oracle

# JSON is YAML, and the exact object: kubectl reads it, prints it its own way.
_JSON_ESCAPE = re.compile("[\u2028\u2029]")


def _as_json(obj: Any) -> str:
    text = json.dumps(obj, ensure_ascii=False)
    return _JSON_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def kubectl_print(kubectl: str, objs: list[dict[str, Any]]) -> str:
    """`kubectl kustomize` of the objects, in the given order (fifo)."""
    with tempfile.TemporaryDirectory(prefix="yamlio-") as tmp:
        d = Path(tmp)
        names = []
        for i, obj in enumerate(objs):
            names.append(f"r{i:03d}.yaml")
            (d / names[-1]).write_text(_as_json(obj), encoding="utf-8")
        (d / "kustomization.yaml").write_text(
            json.dumps({"resources": names, "sortOptions": {"order": "fifo"}})
        )
        run = subprocess.run(
            [kubectl, "kustomize", str(d)], capture_output=True, text=True, check=False
        )
    assert run.returncode == 0, run.stderr
    return run.stdout


def _foo(name: str, spec: Any) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Foo", "metadata": {"name": name}, "spec": spec}


def _configmap(name: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


# ---------------------------------------------------------------------------
# Observation captures in ../shared: parse kubectl's output, print it again.


def _observation_cases() -> list[str]:
    """Captures of successful builds (a failed build printed nothing to compare)."""
    expected = ROOT.parent / "shared" / "reference" / "kustomize-observations" / "expected"
    cases = sorted(p.name for p in expected.glob("*.out") if _captured_stdout(p) is not None)
    return cases or ["<none>"]


def _captured_stdout(path: Path) -> str | None:
    """kubectl's stdout from a capture (run_all.sh: stdout+stderr, then an exit line)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if not lines or lines[-1].strip() != "# exit code: 0":
        return None
    body = lines[:-1]
    # stderr warnings land at the top ("# Warning: 'commonLabels' is deprecated...").
    while body and body[0].startswith("# Warning:"):
        body.pop(0)
    return "".join(body)


@pytest.mark.kubectl
@pytest.mark.parametrize("case", _observation_cases())
def test_observations_round_trip_byte_identical(shared: Path, emitter: str, case: str) -> None:
    path = shared / "reference" / "kustomize-observations" / "expected" / case
    assert path.is_file(), f"no captures under {path.parent}"
    stdout = _captured_stdout(path)
    assert stdout is not None
    docs = yamlio.load_all(stdout, source=case)
    assert yamlio.dump_all(docs) == stdout


def test_format_observations_are_covered(shared: Path) -> None:
    """The formatting cases themselves are successful builds (not silently skipped)."""
    base = shared / "reference" / "kustomize-observations" / "expected"
    for case in ("t3-format.out", "t4-format2.out", "t12-pyyaml.out"):
        assert _captured_stdout(base / case), case


# ---------------------------------------------------------------------------
# Specific formatting facts (each checked against kubectl once more below).

KEY_ORDER = [
    "-", ".", "_", "0", "00", "1", "9", "10", "A", "Z", "a", "a b", "a-b", "a.b", "a/b",
    "a:b", "a_b", "a~", "a0", "a00", "a1", "a1-", "a01", "a001", "a9", "a10", "aB", "ab",
    "b", "z", "ä", "é", "Ω",
]  # fmt: skip

SCALARS: list[tuple[Any, str]] = [
    ("yes", '"yes"'), ("Y", '"Y"'), ("off", '"off"'), ("~", '"~"'), ("", '""'),
    ("null", '"null"'), ("0777", '"0777"'), ("0x1F", '"0x1F"'), ("0o17", '"0o17"'),
    ("1_000", '"1_000"'), ("0b101", '"0b101"'), ("0b-1", '"0b-1"'), ("1e3", '"1e3"'),
    (".5", '".5"'), ("1.", '"1."'), ("+1", '"+1"'), ("08", '"08"'), (".inf", '".inf"'),
    ("-.inf", '"-.inf"'), ("1:20", '"1:20"'), ("190:20:30.15", '"190:20:30.15"'),
    ("2024-01-01", '"2024-01-01"'), ("2024-1-1", '"2024-1-1"'),
    ("2024-01-01 10:00:00", '"2024-01-01 10:00:00"'),
    ("2024-01-01t1:2:3.5+01:00", '"2024-01-01t1:2:3.5+01:00"'),
    ("99999999999999999999", '"99999999999999999999"'),
    ("2024-02-30", "2024-02-30"), ("2024-01-01T10:00:00", "2024-01-01T10:00:00"),
    ("0xFFFFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFFFFF"), ("1e400", "1e400"),
    ("<<", "<<"), ("=", "="), ("0.0.1", "0.0.1"), ("1e", "1e"), ("e3", "e3"),
    ("Inf", "Inf"), ("._5", "._5"), ("héllo", "héllo"), ("0 3 * * *", "0 3 * * *"),
    ("@foo", "'@foo'"), ("-", "'-'"), ("- a", "'- a'"), ("a: b", "'a: b'"),
    ("a #b", "'a #b'"), ("a#b", "a#b"), (" x", "' x'"), ("x ", "'x '"), ("---", "'---'"),
    ("it's", "it's"), ("'q'", "'''q'''"), ("a\tb", '"a\\tb"'), ("\x1b", '"\\e"'),
    ("😀", '"\\U0001F600"'), ("a\u2028b", "'a\u2028  b'"),
    ("\ufeff@ b", '"\\uFEFF\\x40\\x20\\x62"'),
    ("abc\n", "|\n  abc"), ("a\nb", "|-\n  a\n  b"), ("a\n\n", "|+\n  a\n"),
    (" a\nb", "|2-\n   a\n  b"), ("a \nb", '"a \\nb"'), ("a\n ", '"a\\n "'),
    (0.5, "0.5"), (1.0, "1"), (1e6, "1000000"), (1e20, "1e+20"), (1e21, "1e+21"),
    (1.5e-7, "1.5e-07"), (1e-5, "1e-05"), (0.0001, "0.0001"), (123456789.125, "1.23456789125e+08"),
    (100000.5, "100000.5"), (-0.0, "0"), (1.2345678901234567e19, "12345678901234567000"),
    (-9.223372036854776e18, "-9.223372036854776e+18"), (2**63, "9223372036854775808"),
    (2**64 - 1, "18446744073709551615"), (2**64, "1.8446744073709552e+19"),
    (-(2**63), "-9223372036854775808"), (-(2**63) - 1, "-9.223372036854776e+18"),
    (True, "true"), (None, "null"), ({}, "{}"), ([], "[]"),
]  # fmt: skip


def test_key_order_is_go_yaml_natural_order() -> None:
    shuffled = dict.fromkeys(sorted(KEY_ORDER, key=lambda k: k[::-1]), 1)
    assert yamlio.dump(shuffled) == "".join(yamlio.dump({k: 1}) for k in KEY_ORDER)


@pytest.mark.parametrize(("value", "printed"), SCALARS, ids=lambda v: repr(v)[:30])
def test_scalar_printing(emitter: str, value: Any, printed: str) -> None:
    assert yamlio.dump({"k": value}) == f"k: {printed}\n"


@pytest.mark.kubectl
def test_specific_facts_match_kubectl(kubectl: str) -> None:
    objs = [_foo("keys", dict.fromkeys(KEY_ORDER, 1))]
    objs += [_foo(f"s{i:03d}", {"k": v}) for i, (v, _) in enumerate(SCALARS)]
    objs += [_foo("nested", {"a": [{"b": [], "c": {}}, [1, [2]], {"d": {"e": None}}]})]
    assert yamlio.dump_all(objs) == kubectl_print(kubectl, objs)


@pytest.mark.kubectl
def test_key_order_follows_gos_newer_unicode_tables(kubectl: str) -> None:
    """Letters and digits Go knows but Python 3.11 calls unassigned (kustgen/_gounicode.py)."""
    from kustgen._gounicode import GO_EXTRA_DIGITS, GO_EXTRA_LETTERS

    extra = [chr(lo) for lo, _ in GO_EXTRA_LETTERS] + [chr(hi) for _, hi in GO_EXTRA_DIGITS]
    keys = ["0", "a", "b9", "z", "~", "k9", "\u00e9", *extra, *("k" + c for c in extra)]
    # go-yaml's key order is not transitive when a lone digit D sits beside "1D2"
    # and "1L2" (L a letter): "1L2" < D < "1D2" < "1L2".  kubectl then prints such
    # a map in an order that depends on Go's map iteration, differently from run
    # to run, so those keys go into an object of their own.
    digit_runs = ["0", "a", "z", "~", "\u00e9", *("1" + c + "2" for c in extra)]
    objs = [
        _foo("unicode15", dict.fromkeys(keys, 1)),
        _foo("unicode15-runs", dict.fromkeys(digit_runs, 1)),
    ]
    assert yamlio.dump_all(objs) == kubectl_print(kubectl, objs)


def test_folding_at_column_80(emitter: str) -> None:
    word = "w" * 77  # after "k: " the following space is at column 80: no fold yet
    assert yamlio.dump({"k": f"{word} tail"}) == f"k: {word} tail\n"
    assert yamlio.dump({"k": f"{word}w tail"}) == f"k: {word}w\n  tail\n"
    # single- and double-quoted scalars fold too; keys never do
    assert yamlio.dump({"k": f"'{word} tail"}) == f"k: '''{word}\n  tail'\n"
    assert yamlio.dump({"k": f"\t{word} tail"}) == f'k: "\\t{word}\n  tail"\n'
    long_key = f"{word[:60]} {word[:60]}"
    assert yamlio.dump({long_key: 1}) == f"{long_key}: 1\n"


def test_long_and_multiline_keys_use_complex_form(emitter: str) -> None:
    assert yamlio.dump({"k" * 129: 1}) == f"? {'k' * 129}\n: 1\n"
    assert yamlio.dump({"k" * 128: 1}) == f"{'k' * 128}: 1\n"
    assert yamlio.dump({"a\nb": 1}) == "? |-\n  a\n  b\n: 1\n"


def test_dump_all_separates_documents_without_leading_marker() -> None:
    assert yamlio.dump_all([{"b": 1, "a": 2}, {"c": []}]) == "a: 2\nb: 1\n---\nc: []\n"
    assert yamlio.dump_all([]) == ""
    assert yamlio.dump({}) == "{}\n"


def test_dump_list_for_json6902_patches() -> None:
    ops = [{"path": "/spec/replicas", "op": "replace", "value": 3}]
    assert yamlio.dump_list(ops) == "- op: replace\n  path: /spec/replicas\n  value: 3\n"


def test_shared_objects_are_written_out_twice() -> None:
    labels = {"app": "x"}
    text = yamlio.dump({"a": labels, "b": labels})
    assert text == "a:\n  app: x\nb:\n  app: x\n"
    assert "&" not in text and "*" not in text


@pytest.mark.parametrize(
    "bad",
    [
        {1: "x"},
        {"k": math.nan},
        {"k": math.inf},
        {"k": "a\x7fb"},
        {"k": "a\x85b"},
        {"<<": "x"},
        {"k": {1, 2}},
        {"k": b"bytes"},
        {"k": 10**400},
    ],
    ids=repr,
)
def test_unwritable_values_are_input_errors(bad: dict[Any, Any]) -> None:
    with pytest.raises(InputError):
        yamlio.dump(bad)


def test_dump_rejects_non_mapping_document() -> None:
    with pytest.raises(InputError):
        yamlio.dump(["a"])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Loading


def test_load_and_load_all() -> None:
    assert yamlio.load("b: 1\na: [x, 'yes']\n") == {"b": 1, "a": ["x", "yes"]}
    assert yamlio.load_all("a: 1\n---\nb: <<\n") == [{"a": 1}, {"b": "<<"}]
    assert yamlio.load("base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n")["d"] == {"x": 1, "y": 2}


def test_unreadable_yaml_names_file_and_line() -> None:
    with pytest.raises(InputError, match=r"^app/deploy\.yaml:\d+: unreadable YAML"):
        yamlio.load("a: 1\nb: 2\nc: [\n", source="app/deploy.yaml")
    with pytest.raises(InputError, match=r"^x\.yaml:2: "):
        yamlio.load_all("a: 1\n- b\n", source="x.yaml")
    with pytest.raises(InputError):
        yamlio.load("a: !!python/object:os.system x\n")


# ---------------------------------------------------------------------------
# Property tests

# Characters kubectl cannot read back (see yamlio._UNWRITABLE) are left out.
_TRICKY = [
    "yes", "No", "on", "y", "~", "null", "1e3", "0x1F", "0777", "08", "1_000", "1:20",
    "2024-01-01", "2024-01-01T10:00:00Z", ".5", "+.inf", "<<", "---", "- a", "a: b",
    "a #b", "#x", "@x", "'q'", '"q"', "\\", "1.0", "-1", "0b1", "true",
]  # fmt: skip
_CHARS = st.characters(
    codec="utf-8",
    exclude_characters="\x7f\x85\ufffe\uffff",
    exclude_categories=["Cs"],
).filter(lambda c: not "\x80" <= c <= "\x9f")
_WORD = st.one_of(
    st.sampled_from(_TRICKY), st.text(_CHARS, max_size=6), st.text("wxyz'\"", min_size=20)
)
_SEP = st.sampled_from([" ", " ", " ", "  ", "\n", "\t", ": ", " #", "\n\n", ""])
STRINGS = st.one_of(
    st.text(_CHARS, max_size=12),
    st.sampled_from(_TRICKY),
    st.builds(
        lambda parts, seps, lead, trail: (
            lead + "".join(p + s for p, s in zip(parts, seps, strict=False)) + trail
        ),
        st.lists(_WORD, min_size=1, max_size=25),
        st.lists(_SEP, min_size=25, max_size=25),
        st.sampled_from(["", "", " ", "\n"]),
        st.sampled_from(["", "", " ", "\n", "\n\n"]),
    ),
)
KEYS = st.one_of(STRINGS, st.from_regex(r"[a-zA-Z0-9._/-]{1,12}", fullmatch=True)).filter(
    lambda k: k != "<<"
)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
INTS = st.integers(min_value=-(2**70), max_value=2**70)
SCALAR = st.one_of(STRINGS, st.booleans(), st.none(), INTS, FLOATS)
VALUES = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=15,
)


def _consistent_keys(obj: Any) -> bool:
    """go-yaml's key order is a total order on every mapping (else kubectl is random)."""
    if isinstance(obj, dict):
        keys = yamlemit._sorted_keys(tuple(obj))
        for a, b in itertools.combinations(keys, 2):
            if not yamlemit._go_less(a, b):
                return False
        return all(_consistent_keys(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_consistent_keys(v) for v in obj)
    return True


def _make_consistent(obj: Any) -> Any:
    """Drop keys that make go-yaml's key order cyclic (kubectl's order is then random)."""
    if isinstance(obj, dict):
        if not _consistent_keys({k: None for k in obj}):
            obj = {k: v for k, v in obj.items() if yamlemit._natural_key(k) is not None}
        return {k: _make_consistent(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_make_consistent(v) for v in obj]
    return obj


def _objects(values: list[Any], data: list[dict[str, str]]) -> list[dict[str, Any]]:
    objs = [_foo(f"f{i:03d}", v) for i, v in enumerate(values)]
    objs += [_configmap(f"c{i:03d}", d) for i, d in enumerate(data)]
    return objs


# Hypothesis runs in a child interpreter: this repository's pytest rewrites the
# asserts inside hypothesis itself, which makes generation ~30x slower.


def _run_property(name: str, **env: str) -> None:
    code = f"from tests import test_yamlio as t; t.{name}()"
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    values=st.lists(VALUES, min_size=8, max_size=14),
    data=st.lists(st.dictionaries(KEYS, STRINGS, max_size=8), min_size=6, max_size=10),
)
def _property_matches_kubectl(values: list[Any], data: list[dict[str, str]]) -> None:
    """About 20 random objects per kubectl call, on both emitters."""
    objs = _make_consistent(_objects(values, data))
    expected = kubectl_print(os.environ["YAMLIO_TEST_KUBECTL"], objs)
    c, py = _both_paths(yamlio.dump_all, objs)
    assert c == expected
    assert py == expected


@pytest.mark.kubectl
def test_matches_kubectl_on_random_objects(kubectl: str) -> None:
    _run_property("_property_matches_kubectl", YAMLIO_TEST_KUBECTL=kubectl)


@settings(max_examples=300, deadline=None, database=None)
@given(values=st.lists(VALUES, min_size=1, max_size=5))
def _property_emitters_agree(values: list[Any]) -> None:
    c, py = _both_paths(yamlio.dump_all, _objects(values, []))
    assert c == py


def test_libyaml_and_python_emitters_agree() -> None:
    if yamlemit._CEmitter is None:
        pytest.skip("PyYAML has no libyaml here: there is only one path")
    _run_property("_property_emitters_agree")


_YAML11 = yaml.resolver.Resolver()


def _reads_back_as_written(obj: Any) -> bool:
    """No plain scalar that PyYAML's YAML 1.1 resolver reads differently than go-yaml."""
    if isinstance(obj, dict):
        return all(_reads_back_as_written(k) and _reads_back_as_written(v) for k, v in obj.items())
    if isinstance(obj, list):
        return all(_reads_back_as_written(v) for v in obj)
    if isinstance(obj, str) and yamlemit._string_style(obj) == "":
        tag = _YAML11.resolve(yaml.ScalarNode, obj, (True, False))  # type: ignore[no-untyped-call]
        return bool(tag == "tag:yaml.org,2002:str")
    if isinstance(obj, int) and not -(2**63) <= obj < 2**64:
        return False  # kubectl turns these into floats, and so do we
    return not isinstance(obj, float)  # 1e+21 is a string to YAML 1.1


@settings(max_examples=150, deadline=None, database=None)
@given(value=st.dictionaries(KEYS, VALUES, max_size=6))
def _property_load_gives_data_back(value: dict[str, Any]) -> None:
    assume(_reads_back_as_written(value))
    assert yaml.safe_load(yamlio.dump(value)) == value
    assert yamlio.load(yamlio.dump(value)) == value


def test_loading_a_dump_gives_the_data_back() -> None:
    _run_property("_property_load_gives_data_back")


@pytest.mark.kubectl
def test_kubectl_output_is_a_fixed_point(kubectl: str) -> None:
    """kubectl reading a file we wrote prints the same bytes again."""
    objs = [_foo(f"s{i:03d}", {"k": v}) for i, (v, _) in enumerate(SCALARS)]
    with tempfile.TemporaryDirectory(prefix="yamlio-") as tmp:
        d = Path(tmp)
        (d / "all.yaml").write_text(yamlio.dump_all(objs), encoding="utf-8")
        (d / "kustomization.yaml").write_text("resources: [all.yaml]\nsortOptions: {order: fifo}\n")
        run = subprocess.run([kubectl, "kustomize", str(d)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout == yamlio.dump_all(objs)


# ---------------------------------------------------------------------------
# Determinism

_DETERMINISM_SCRIPT = """
import sys
from kustgen import yamlemit, yamlio
keys = ["a1a", "a3", "a10", "k8s", "x", "0b-1", "1:20", "0777", "é", "a_b", "aB"]
docs = [{k: {"v": [k, i]} for i, k in enumerate(keys)},
        {k: i for i, k in enumerate(reversed(keys))}, {"s": set and "plain"}]
sys.stdout.write(yamlio.dump_all(docs))
"""


def test_output_independent_of_hash_seed_and_insertion_order() -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _DETERMINISM_SCRIPT],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
    first, second, _ = outputs.pop().split("---\n")
    # even for a key set go-yaml cannot order consistently, insertion order is irrelevant
    assert [line.split(":")[0] for line in first.splitlines() if not line.startswith(" ")] == [
        line.split(":")[0] for line in second.splitlines()
    ]


# ---------------------------------------------------------------------------
# The scalar analysis: regular expressions against libyaml's loop, character
# by character (yaml_emitter_analyze_scalar, as kustgen first transcribed it).

def _analysis_by_loop(s: str) -> str:
    if "\n" in s:
        requested = "|"
    elif yamlemit._resolves_to_non_string(s):
        return '"'
    else:
        requested = ""
    block_indicators = special = False
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = line_breaks = False
    previous_space = previous_break = False
    preceded_by_ws = True
    if s.startswith(("---", "...")):
        block_indicators = True
    n = len(s)
    for i, c in enumerate(s):
        followed_by_ws = i + 1 >= n or s[i + 1] in " \t"
        if i == 0:
            if c in yamlemit._FLOW_START or (c in "?:-" and followed_by_ws):
                block_indicators = True
        elif (c == ":" and followed_by_ws) or (c == "#" and preceded_by_ws):
            block_indicators = True
        if not yamlemit._printable(c):
            special = True
        if c == " ":
            leading_space = leading_space or i == 0
            trailing_space = trailing_space or i == n - 1
            break_space = break_space or previous_break
            previous_space, previous_break = True, False
        elif c in yamlemit._BREAKS:
            line_breaks = True
            leading_break = leading_break or i == 0
            trailing_break = trailing_break or i == n - 1
            space_break = space_break or previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_ws = c in " \t\0\r\n\x85\u2028\u2029"
    plain_ok = not (leading_space or leading_break or trailing_space or trailing_break
                    or break_space or space_break or special or line_breaks
                    or block_indicators)
    single_ok = not (break_space or space_break or special)
    block_ok = not (trailing_space or space_break or special)
    if requested == "|":
        return "|" if block_ok else '"'
    if plain_ok:
        return ""
    return "'" if single_ok else '"'


_STYLE_ALPHABET = (" \t\n\r\0\x85\u2028\u2029\ufeff\ufffe\U0001f600\xa0\x7f\x9f"
                   "#:-?.,[]{}&*!|>'\"%@`ab1_+")


@settings(max_examples=3000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_STYLE_ALPHABET, min_size=1, max_size=12))
def test_scalar_style_matches_the_character_loop(s: str) -> None:
    assert yamlemit._string_style(s) == _analysis_by_loop(s)


def test_scalar_style_matches_the_character_loop_on_real_strings() -> None:
    """Every string of the vendored installations (long CRD descriptions)."""
    import kustgen.default
    from kustgen.layout import layout

    strings: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, str):
            strings.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for path, text in layout(kustgen.default.fleet).items():
        if path.endswith(".yaml"):
            for doc in yaml.safe_load_all(text):
                collect(doc)
    assert len(strings) > 1000
    assert [s for s in strings if yamlemit._string_style(s) != _analysis_by_loop(s)] == []


def test_subclasses_of_str_and_int_are_written_as_their_data(emitter: str) -> None:
    """As json.dumps writes them: an Enum with a str or int mixin, or a str
    subclass with its own __str__, is its underlying value, never its repr or
    what __str__ says (and an Enum is not rebuilt through its constructor)."""
    import enum

    class Mode(str, enum.Enum):  # noqa: UP042 -- the mixin form is the case that broke
        ONCE = "ReadWriteOnce"
        YES = "yes"

    class Count(enum.IntEnum):
        THREE = 3

    class Shouting(str):
        def __str__(self) -> str:
            return self.upper()

    document = {"a": Mode.ONCE, "b": Mode.YES, "c": Count.THREE, "d": Shouting("quiet")}
    plain = json.loads(json.dumps(document))
    assert plain == {"a": "ReadWriteOnce", "b": "yes", "c": 3, "d": "quiet"}
    assert yamlio.dump(document) == yamlio.dump(plain)
