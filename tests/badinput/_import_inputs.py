"""The hostile input files of `kustgen import-crd` and `kustgen import`, for
:mod:`tests.badinput.imports`: each case names its files, the command (with
``--out``) and the start of the line kustgen answers with."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    Case("crd-one-good-one-bad-file",
         {"a.yaml": _crd_with(GOOD_SPEC),
          "b.yaml": CRD_HEAD + b"spec: {group: example.com, versions: v1, names: {kind: W}}\n"},
         _import_crd("a.yaml", "b.yaml"),
         "b.yaml: document 1: spec.versions: expected a list, got a string"),
    Case("crd-unparsable", {"c.yaml": CRD_HEAD + b"spec: {group: [\n"}, _import_crd("c.yaml"),
         "c.yaml: document 1 (line 5): unreadable YAML: "),
    Case("crd-duplicate-key", {"c.yaml": _crd_with(GOOD_SPEC) + b"spec: {}\n"},
         _import_crd("c.yaml"), "c.yaml: document 1 (line 17): key 'spec' is given twice"),
]

CM = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"


def _import(*sources: str) -> tuple[str, ...]:
    return ("import", *sources, "--out", "out.py")


CASES += [
    Case("import-billion-laughs", {"m.yaml": _laughs()}, _import("m.yaml"),
         "m.yaml: document 1 (line 7): more than 2000000 values once aliases are expanded"),
    Case("import-latin1", {"m.yaml": CM + "data: {a: caf\xe9}\n".encode("latin-1")},
         _import("m.yaml"), "m.yaml: not UTF-8 text: byte 0xe9 on line 4"),
    Case("import-binary", {"m.yaml": b"\x7fELF\x02\x01\x01\x00\x00\xff"}, _import("m.yaml"),
         "m.yaml: not UTF-8 text: byte 0xff on line 1"),
    Case("import-deep-nesting", {"m.yaml": b"a:\n" + b"".join(b" " * i + b"b:\n"
                                                            for i in range(1, 300))},
         _import("m.yaml"), "m.yaml: document 1 (line 101): nested deeper than 100 levels"),
    Case("import-not-an-object-scalar", {"m.yaml": CM + b"---\njust text\n"}, _import("m.yaml"),
         "m.yaml: document 2: not a Kubernetes object (found the value 'just text')"),
    Case("import-not-an-object-list", {"m.yaml": b"- a\n- b\n"}, _import("m.yaml"),
         "m.yaml: document 1: not a Kubernetes object (found a list)"),
    Case("import-no-api-version", {"m.yaml": b"kind: ConfigMap\nmetadata: {name: a}\n"},
         _import("m.yaml"),
         "m.yaml: document 1: not a Kubernetes object: apiVersion is missing or not a string"),
    Case("import-no-kind", {"m.yaml": b"apiVersion: v1\nmetadata: {name: a}\n"},
         _import("m.yaml"),
         "m.yaml: document 1: not a Kubernetes object: kind is missing or not a string"),
    Case("import-no-name", {"m.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"},
         _import("m.yaml"),
         "m.yaml: document 1: not a Kubernetes object: metadata.name is missing or not a string"),
    Case("import-name-a-number",
         {"m.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 7}\n"},
         _import("m.yaml"),
         "m.yaml: document 1: not a Kubernetes object: metadata.name is missing or not a string"),
    Case("import-duplicate-object", {"m.yaml": CM + b"---\n" + CM}, _import("m.yaml"),
         "m.yaml: document 2: ConfigMap/a is defined twice (first in m.yaml: document 1)"),
    Case("import-duplicate-across-files", {"a.yaml": CM, "b.yaml": CM},
         _import("a.yaml", "b.yaml"),
         "b.yaml: document 1: ConfigMap/a is defined twice (first in a.yaml: document 1)"),
    Case("import-duplicate-inside-list", {"m.yaml": b"apiVersion: v1\nkind: List\nitems:\n"
                                          b"- {apiVersion: v1, kind: ConfigMap,"
                                          b" metadata: {name: a}}\n"
                                          b"- {apiVersion: v1, kind: ConfigMap,"
                                          b" metadata: {name: a}}\n"},
         _import("m.yaml"),
         "m.yaml: document 1: items[1]: ConfigMap/a is defined twice (first in m.yaml: document 1:"
         " items[0])"),
    Case("import-list-items-not-a-list", {"m.yaml": b"apiVersion: v1\nkind: List\nitems: {}\n"},
         _import("m.yaml"), "m.yaml: document 1: a List's items must be a list"),
    Case("import-empty-file", {"m.yaml": b"# nothing\n"}, _import("m.yaml"),
         "m.yaml: no Kubernetes objects found"),
    Case("import-missing-source", {}, _import("nowhere.yaml"),
         "nowhere.yaml: cannot read: No such file or directory"),
    Case("import-directory-without-yaml", {"d/readme.txt": b"hi"}, _import("d"),
         "d: holds no YAML files (*.yaml, *.yml, *.json)"),
    Case("import-out-not-python", {"m.yaml": CM}, ("import", "m.yaml", "--out", "out.txt"),
         "out.txt: --out must name a Python file (*.py)"),
    Case("import-out-hand-written", {"m.yaml": CM, "mine.py": b"print('mine')\n"},
         ("import", "m.yaml", "--out", "mine.py"),
         "mine.py: exists and was not written by `kustgen import`; remove it or choose another "
         "--out"),
    Case("import-env-bad-name", {"m.yaml": CM}, ("import", "--env", "Prod!=m.yaml", "--out",
                                                 "out.py"),
         "environment: name: invalid name 'Prod!'"),
    Case("import-env-duplicate-object", {"a.yaml": CM, "b.yaml": CM},
         ("import", "--env", "prod=a.yaml", "--env", "prod=b.yaml", "--out", "out.py"),
         "b.yaml: document 1: ConfigMap/a is defined twice (first in a.yaml: document 1)"),
    Case("import-bad-crd-option", {"m.yaml": CM, "c.yaml": CRD_HEAD + b"spec: [1]\n"},
         ("import", "m.yaml", "--crd", "c.yaml", "--out", "out.py"),
         "c.yaml: document 1: spec: expected a mapping, got a list"),
    Case("import-secret-values", {"m.yaml": b"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                                           b"stringData: {password: hunter2}\n"},
         _import("m.yaml"),
         "m.yaml: document 1: Secret/s holds secret values, which would be written into the "
         "module in plain text; pass --allow-secrets to import them anyway"),
    Case("import-kustomization-alias-bomb", {
        "k/kustomization.yaml": b"resources: [cm.yaml]\n",
        "k/cm.yaml": CM + b"extra:\n" + b"".join(
            b"  a%d: &a%d [%s]\n" % (i, i, b",".join([b"*a%d" % (i - 1)] * 9) if i else
                                     b",".join([b'"lol"'] * 9))
            for i in range(10))},
         _import("k"), "cm.yaml: document 1: more than"),
    Case("import-kustomization-deep-nesting", {
        "k/kustomization.yaml": b"resources: [cm.yaml]\n",
        "k/cm.yaml": CM + b"extra: " + b"[" * 5000 + b"]" * 5000 + b"\n"},
         _import("k"), "cm.yaml: cannot parse YAML"),
    Case("import-kustomization-recursive-alias", {
        "k/kustomization.yaml": b"resources: [cm.yaml]\n",
        "k/cm.yaml": CM + b"extra: &a [*a]\n"},
         _import("k"), "cm.yaml: document 1: an alias"),
    Case("import-kustomization-escaping-budget", {
        "k/kustomization.yaml": b"resources: [big.yaml]\n",
        "k/big.yaml": CM + b"data: {x: '" + b"y" * (17 * 1024 * 1024) + b"'}\n"},
         _import("k"), "k: the kustomization's files (below "),
]
