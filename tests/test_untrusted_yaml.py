"""The bounded YAML reader: kustomize's scalar semantics, and one line for every hostile input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kustgen.errors import InputError
from kustgen.render.yamlload import load_resources
from kustgen.untrusted_yaml import Limits, YamlReader, read_documents


def _read(data: bytes, limits: Limits | None = None) -> list[object]:
    reader = YamlReader(limits) if limits else YamlReader()
    return [d.data for d in reader.read_bytes(data, "in.yaml")]


def _error(data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(InputError) as info:
        _read(data, limits)
    line = info.value.format()
    assert "\n" not in line
    return line


def test_scalars_mean_what_they_mean_to_kustomize() -> None:
    text = (
        "a: yes\nb: 0777\nc: 2024-01-01\nd: '12'\ne: 1.0\nf: ~\ng: !!str 5\nh: !custom x\n"
        "true: 1\n3: x\n"
    )
    assert _read(text.encode())[0] == {
        **load_resources(text.replace("!custom ", "").replace("!!str ", ""), "x")[0],
        "h": "x", "g": "5",
    }
    assert _read(text.encode())[0] == {
        "a": "yes", "b": 511, "c": "2024-01-01T00:00:00Z", "d": "12", "e": 1, "f": None,
        "g": "5", "h": "x", "true": 1, "3": "x",
    }


def test_documents_are_numbered_and_empty_ones_skipped(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("---\n# only a comment\n---\na: 1\n---\n---\nb: 2\n")
    docs = read_documents(path)
    assert [(d.index, d.line, d.data) for d in docs] == [(2, 3, {"a": 1}), (4, 6, {"b": 2})]
    assert docs[0].where == f"{path}: document 2"


def test_aliases_and_merge_keys_are_expanded_into_independent_copies() -> None:
    [doc] = _read(b"base: &b {x: 1, y: [1]}\nm:\n  <<: *b\n  y: [3]\nn: *b\n")
    assert doc == {"base": {"x": 1, "y": [1]}, "m": {"x": 1, "y": [3]}, "n": {"x": 1, "y": [1]}}
    assert doc["n"] is not doc["base"] and doc["n"]["y"] is not doc["base"]["y"]


def _laughs(levels: int) -> bytes:
    lines = [b"l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        refs = b", ".join([b"*l%d" % (i - 1)] * 10)
        lines.append(b"l%d: &l%d [%s]" % (i, i, refs))
    return b"\n".join(lines) + b"\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_laughs(9), "in.yaml: document 1 (line 7): more than 2000000 values once aliases are "
         "expanded (an alias bomb?)"),
        (b"[" * 100_000 + b"]" * 100_000, "in.yaml: document 1 (line 1): unreadable YAML: "),
        (b"a:\n" + b"".join(b" " * i + b"b:\n" for i in range(1, 200)),
         "in.yaml: document 1 (line 101): nested deeper than 100 levels"),
        ("name: caf\xe9\n".encode("latin-1"),
         "in.yaml: not UTF-8 text: byte 0xe9 on line 1 (convert the file to UTF-8)"),
        (b"a: 1\n\x89PNG\r\n\x1a\n\x00\x00", "in.yaml: not UTF-8 text: byte 0x89 on line 2"),
        (b"a: b\x00c\n", "in.yaml: document 1: unreadable YAML: unacceptable character #x0000"),
        (b"a: &a [1, *a]\n", "in.yaml: document 1 (line 1): alias *a refers to a node containing"),
        (b"a: *nowhere\n", "in.yaml: document 1 (line 1): alias *nowhere names no anchor"),
        (b"a: 1\nb: 2\na: 3\n", "in.yaml: document 1 (line 3): key 'a' is given twice"),
        (b"? [a]\n: 1\n", "in.yaml: document 1 (line 1): a mapping key must be a scalar"),
        (b"a: .inf\n", "in.yaml: document 1: unreadable YAML: .inf cannot be represented in JSON"),
        (b"---\na: 1\n---\na: [\n", "in.yaml: document 2 (line 5): unreadable YAML: "),
        (b"m: {<<: [1]}\n", "in.yaml: document 1 (line 1): a merge key (<<) needs a mapping"),
    ],
)
def test_hostile_input_is_one_line(data: bytes, expected: str) -> None:
    assert _error(data).startswith(expected)


def test_size_and_count_limits() -> None:
    small = Limits(max_input_bytes=100, max_document_bytes=40, max_documents=3)
    assert _error(b"a: " + b"x" * 200, small).endswith(
        "input larger than the 100 bytes kustgen reads in one run; split it"
    )
    assert _error(b"a: [" + b"x, " * 20 + b"]\n", small) == (
        "in.yaml: document 1: document larger than 40 bytes"
    )
    assert _error(b"---\na: 1\n" * 4, small) == "in.yaml: more than 3 documents"
    # The limits hold over every source one reader reads.
    reader = YamlReader(Limits(max_input_bytes=20))
    reader.read_bytes(b"a: 1234567890\n", "one.yaml")
    with pytest.raises(InputError, match=r"^two\.yaml: input larger"):
        reader.read_bytes(b"b: 1234567890\n", "two.yaml")


def test_a_large_input_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError, match=r"input larger than the 16\.0 MiB"):
        read_documents(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"fifo\.yaml: not a regular file"):
        read_documents(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_documents(tmp_path)


def test_utf16_with_a_byte_order_mark_is_text() -> None:
    assert _read("a: é\n".encode("utf-16")) == [{"a": "é"}]
    assert _read(b"\xef\xbb\xbfa: 1\n") == [{"a": 1}]
