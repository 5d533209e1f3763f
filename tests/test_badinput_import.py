"""Bad-input catalogue of `kustgen import-crd` and `kustgen import` (see docs/bad-input-import.md).

Every entry is a hostile or broken input file and the one line kustgen must
answer with: exit 2, a single ``kustgen: error:`` line on stderr and no
traceback, nothing written, nothing outside the working directory touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from kustgen.cli import main

CRD_HEAD = b"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
"""
GOOD_SPEC = b"""spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
"""


def _laughs(prefix: bytes = b"") -> bytes:
    lines = [prefix + b"l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        lines.append(prefix + b"l%d: &l%d [%s]" % (i, i, b", ".join([b"*l%d" % (i - 1)] * 10)))
    return b"\n".join(lines) + b"\n"


def _crd_with(spec: bytes) -> bytes:
    return CRD_HEAD + spec


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, bytes]
    command: tuple[str, ...]
    #: The error line must start with ``kustgen: error: `` + this.
    expected: str
    exit_code: int = 2
    extra: dict[str, int] = field(default_factory=dict)


def _import_crd(*files: str) -> tuple[str, ...]:
    return ("import-crd", *files, "--out", "out")


CASES = [
    Case("crd-alias-bomb-in-schema",
         {"c.yaml": _crd_with(GOOD_SPEC + b"x-bomb:\n" + _laughs(b"  "))}, _import_crd("c.yaml"),
         "c.yaml: document 1 (line 24): more than 2000000 values once aliases are expanded"),
    Case("crd-billion-laughs", {"c.yaml": _laughs()}, _import_crd("c.yaml"),
         "c.yaml: document 1 (line 7): more than 2000000 values once aliases are expanded"),
    Case("crd-not-a-crd", {"c.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"},
         _import_crd("c.yaml"), "c.yaml: holds no CustomResourceDefinition (found ConfigMap)"),
    Case("crd-empty-file", {"c.yaml": b""}, _import_crd("c.yaml"),
         "c.yaml: holds no CustomResourceDefinition (found nothing (empty))"),
    Case("crd-deep-nesting", {"c.yaml": b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n"},
         _import_crd("c.yaml"),
         "c.yaml: document 1 (line 1): unreadable YAML: exceeded maximum nesting"),
    Case("crd-deep-block-nesting",
         {"c.yaml": b"a:\n" + b"".join(b" " * i + b"b:\n" for i in range(1, 300))},
         _import_crd("c.yaml"), "c.yaml: document 1 (line 101): nested deeper than 100 levels"),
    Case("crd-latin1", {"c.yaml": CRD_HEAD + "# caf\xe9\n".encode("latin-1")},
         _import_crd("c.yaml"), "c.yaml: not UTF-8 text: byte 0xe9 on line 4"),
    Case("crd-binary", {"c.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"},
         _import_crd("c.yaml"), "c.yaml: not UTF-8 text: byte 0x89 on line 1"),
    Case("crd-missing-names", {"c.yaml": _crd_with(GOOD_SPEC.replace(
        b"  names: {kind: Widget, plural: widgets}\n", b""))}, _import_crd("c.yaml"),
         "c.yaml: document 1: spec.names: is missing"),
    Case("crd-spec-a-list", {"c.yaml": CRD_HEAD + b"spec: [a, b]\n"}, _import_crd("c.yaml"),
         "c.yaml: document 1: spec: expected a mapping, got a list"),
    Case("crd-versions-a-string", {"c.yaml": _crd_with(
        GOOD_SPEC.split(b"  versions:")[0] + b"  versions: v1\n")}, _import_crd("c.yaml"),
         "c.yaml: document 1: spec.versions: expected a list, got a string"),
    Case("crd-kind-holding-code", {"c.yaml": _crd_with(GOOD_SPEC.replace(
        b"kind: Widget", b"kind: 'W(): pass\\nimport os; os.system(\"id\")#'"))},
         _import_crd("c.yaml"),
         "c.yaml: document 1: spec.names.kind: 'W(): pass\\\\nimport os; os.system(\"id\")#' is "
         "not a valid name (letters and digits, starting with a letter)"),
    Case("crd-version-holding-code", {"c.yaml": _crd_with(GOOD_SPEC.replace(
        b"- name: v1", b"- name: 'v1 = 1; import os'"))}, _import_crd("c.yaml"),
         "c.yaml: document 1: spec.versions[0].name: 'v1 = 1; import os' is not a valid name"),
    Case("crd-group-holding-code", {"c.yaml": _crd_with(GOOD_SPEC.replace(
        b"group: example.com", b"group: '../../x.py'"))}, _import_crd("c.yaml"),
         "c.yaml: document 1: spec.group: '../../x.py' is not a valid name"),
    Case("crd-properties-a-list", {"c.yaml": _crd_with(GOOD_SPEC.replace(
        b"properties: {size: {type: integer}}", b"properties: [size]"))}, _import_crd("c.yaml"),
         "c.yaml: document 1: spec.versions[0].schema.openAPIV3Schema.properties.spec.properties:"
         " expected a mapping, got a list"),
    Case("crd-one-good-one-bad-file", {"a.yaml": _crd_with(GOOD_SPEC),
                                       "b.yaml": CRD_HEAD + b"spec: {}\n"},
         _import_crd("a.yaml", "b.yaml"), "b.yaml: document 1: spec.group: is missing"),
    Case("crd-unparsable", {"c.yaml": CRD_HEAD + b"spec: {group: [\n"}, _import_crd("c.yaml"),
         "c.yaml: document 1 (line 5): unreadable YAML: "),
    Case("crd-duplicate-key", {"c.yaml": _crd_with(GOOD_SPEC) + b"spec: {}\n"},
         _import_crd("c.yaml"), "c.yaml: document 1 (line 17): key 'spec' is given twice"),
]


def _run(case: Case, tmp_path: Path) -> tuple[int, str, list[str]]:
    work = tmp_path / "work"
    work.mkdir()
    for name, data in case.files.items():
        (work / name).write_bytes(data)
    before = sorted(os.listdir(tmp_path))
    old = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(main, list(case.command))
    finally:
        os.chdir(old)
    assert sorted(os.listdir(tmp_path)) == before, "something was written outside the project"
    written = sorted(p.name for p in work.iterdir() if p.name not in case.files)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception)
    return result.exit_code, result.stderr, written


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_and_writes_nothing(case: Case, tmp_path: Path) -> None:
    code, stderr, written = _run(case, tmp_path)
    lines = stderr.splitlines()
    assert code == case.exit_code, stderr
    assert "Traceback" not in stderr
    assert lines[-1].startswith("kustgen: error: " + case.expected), stderr
    if len(lines) > 1:  # further problems are listed above the error line, one each
        assert "more problems" in lines[-1]
    assert written == []


def test_the_catalogue_document_lists_every_case() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "bad-input-import.md").read_text()
    for case in CASES:
        assert f"`{case.id}`" in doc, case.id
