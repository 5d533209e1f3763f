"""Hostile files given to `kustgen import-crd` and `kustgen import`.

Every file is read with the bounded reader of ``kustgen/untrusted_yaml.py``
(16 MiB per run, 8 MiB and 2,000,000 values -- aliases expanded -- per
document, nesting 100 deep), every CRD's shape is checked before code is
generated from it, and every imported document must be a Kubernetes object.
The input files are written beside the target module; the commands get only
``--out``.  Also covered elsewhere: a 50 MB file, a FIFO and NUL bytes
(``tests/test_untrusted_yaml.py``), names that collide with Python
(``tests/test_crd_identifiers.py``), several problems of one CRD listed
together (``tests/test_crd_identifiers.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tests.badinput import Entry, Sandbox
from tests.badinput._import_inputs import CASES

#: id -> (what the input is, the exact line after ``kustgen: error: ``).
ANSWERS: dict[str, tuple[str, str]] = {
    "crd-alias-bomb-in-schema": (
        "the same bomb inside a CRD",
        "c.yaml: document 1 (line 24): more than 2000000 values once aliases are "
        "expanded (an alias bomb?)",
    ),
    "crd-billion-laughs": (
        "nine levels of ten aliases each",
        "c.yaml: document 1 (line 7): more than 2000000 values once aliases are "
        "expanded (an alias bomb?)",
    ),
    "crd-not-a-crd": (
        "a ConfigMap",
        "c.yaml: holds no CustomResourceDefinition (found ConfigMap)",
    ),
    "crd-empty-file": (
        "an empty file",
        "c.yaml: holds no CustomResourceDefinition (found nothing (empty))",
    ),
    "crd-deep-nesting": (
        "5,000 nested flow sequences",
        "c.yaml: document 1 (line 1): unreadable YAML: exceeded maximum nesting "
        "depth",
    ),
    "crd-deep-block-nesting": (
        "300 nested block mappings",
        "c.yaml: document 1 (line 101): nested deeper than 100 levels",
    ),
    "crd-latin1": (
        "Latin-1 bytes",
        "c.yaml: not UTF-8 text: byte 0xe9 on line 4 (convert the file to UTF-8)",
    ),
    "crd-binary": (
        "a PNG header",
        "c.yaml: not UTF-8 text: byte 0x89 on line 1 (convert the file to UTF-8)",
    ),
    "crd-missing-names": (
        "no `spec.names`",
        "c.yaml: document 1: spec.names: is missing",
    ),
    "crd-spec-a-list": (
        "`spec: [a, b]`",
        "c.yaml: document 1: spec: expected a mapping, got a list",
    ),
    "crd-versions-a-string": (
        "`versions: v1`",
        "c.yaml: document 1: spec.versions: expected a list, got a string",
    ),
    "crd-kind-holding-code": (
        "a `kind` holding Python code: `'W(): pass\\nimport os; os.system(\"id\")#'`",
        "c.yaml: document 1: spec.names.kind: 'W(): pass\\\\nimport os; "
        "os.system(\"id\")#' is not a valid name (letters and digits, starting "
        "with a letter)",
    ),
    "crd-version-holding-code": (
        "`name: 'v1 = 1; import os'`",
        "c.yaml: document 1: spec.versions[0].name: 'v1 = 1; import os' is not a "
        "valid name (a DNS-1035 label such as v1beta1)",
    ),
    "crd-group-holding-code": (
        "`group: '../../x.py'`",
        "c.yaml: document 1: spec.group: '../../x.py' is not a valid name (a DNS "
        "subdomain such as example.com)",
    ),
    "crd-properties-a-list": (
        "`properties: [size]` in the schema",
        "c.yaml: document 1: spec.versions[0].schema.openAPIV3Schema.properties.s"
        "pec.properties: expected a mapping, got a list",
    ),
    "crd-one-good-one-bad-file": (
        "a good CRD file and one whose `versions` is a string: nothing is "
        "written for either",
        "b.yaml: document 1: spec.versions: expected a list, got a string",
    ),
    "crd-unparsable": (
        "an unclosed flow sequence",
        "c.yaml: document 1 (line 5): unreadable YAML: did not find expected "
        "node content",
    ),
    "crd-duplicate-key": (
        "`spec:` given twice",
        "c.yaml: document 1 (line 17): key 'spec' is given twice",
    ),
    "import-billion-laughs": (
        "nine levels of ten aliases",
        "m.yaml: document 1 (line 7): more than 2000000 values once aliases are "
        "expanded (an alias bomb?)",
    ),
    "import-latin1": (
        "Latin-1 bytes",
        "m.yaml: not UTF-8 text: byte 0xe9 on line 4 (convert the file to UTF-8)",
    ),
    "import-binary": (
        "an ELF header",
        "m.yaml: not UTF-8 text: byte 0xff on line 1 (convert the file to UTF-8)",
    ),
    "import-deep-nesting": (
        "300 nested mappings",
        "m.yaml: document 1 (line 101): nested deeper than 100 levels",
    ),
    "import-not-an-object-scalar": (
        "a document that is a string",
        "m.yaml: document 2: not a Kubernetes object (found the value 'just "
        "text')",
    ),
    "import-not-an-object-list": (
        "a document that is a list",
        "m.yaml: document 1: not a Kubernetes object (found a list)",
    ),
    "import-no-api-version": (
        "no `apiVersion`",
        "m.yaml: document 1: not a Kubernetes object: apiVersion is missing or "
        "not a string",
    ),
    "import-no-kind": (
        "no `kind`",
        "m.yaml: document 1: not a Kubernetes object: kind is missing or not a "
        "string",
    ),
    "import-no-name": (
        "`metadata: {}`",
        "m.yaml: document 1: not a Kubernetes object: metadata.name is missing "
        "or not a string",
    ),
    "import-name-a-number": (
        "`metadata.name` a number",
        "m.yaml: document 1: not a Kubernetes object: metadata.name is missing "
        "or not a string",
    ),
    "import-duplicate-object": (
        "one ConfigMap twice in a file",
        "m.yaml: document 2: ConfigMap/a is defined twice (first in m.yaml: "
        "document 1)",
    ),
    "import-duplicate-across-files": (
        "the same object in two files",
        "b.yaml: document 1: ConfigMap/a is defined twice (first in a.yaml: "
        "document 1)",
    ),
    "import-duplicate-inside-list": (
        "twice in a `List`'s items",
        "m.yaml: document 1: items[1]: ConfigMap/a is defined twice (first in "
        "m.yaml: document 1: items[0])",
    ),
    "import-list-items-not-a-list": (
        "`kind: List` with `items: {}`",
        "m.yaml: document 1: a List's items must be a list",
    ),
    "import-empty-file": (
        "only a comment",
        "m.yaml: no Kubernetes objects found",
    ),
    "import-missing-source": (
        "a path that does not exist",
        "nowhere.yaml: cannot read: No such file or directory",
    ),
    "import-directory-without-yaml": (
        "a directory with no `*.yaml`/`*.yml`/`*.json`",
        "d: holds no YAML files (*.yaml, *.yml, *.json)",
    ),
    "import-out-not-python": (
        "`--out out.txt`",
        "{tmp}/out.txt: --out must name a Python file (*.py)",
    ),
    "import-out-hand-written": (
        "`--out` naming a file kustgen did not write",
        "{tmp}/mine.py: exists and was not written by `kustgen import`; remove "
        "it or choose another --out",
    ),
    "import-env-bad-name": (
        "`--env Prod!=...`",
        "environment: name: invalid name 'Prod!': use lower-case letters, digits "
        "and '-' (a DNS-1123 label, at most 63 characters)",
    ),
    "import-env-duplicate-object": (
        "one environment given the same object in two files",
        "b.yaml: document 1: ConfigMap/a is defined twice (first in a.yaml: "
        "document 1)",
    ),
    "import-bad-crd-option": (
        "`--crd` naming a broken CRD",
        "c.yaml: document 1: spec: expected a mapping, got a list",
    ),
    "import-secret-values": (
        "a Secret with `stringData`, without `--allow-secrets`",
        "m.yaml: document 1: Secret/s holds secret values, which would be "
        "written into the module in plain text; pass --allow-secrets to import "
        "them anyway, or leave the Secret out",
    ),
    "import-kustomization-alias-bomb": (
        "a kustomization directory whose resource is a billion-laughs document (read by "
        "kustgen's renderer, bounded as the reader of single files is)",
        "cm.yaml: document 1: more than 2000000 values once aliases are expanded "
        "(an alias bomb?)",
    ),
    "import-kustomization-deep-nesting": (
        "a kustomization directory whose resource nests 5,000 flow sequences",
        "cm.yaml: cannot parse YAML: while increasing flow level exceeded maximum nesting "
        "depth at line 4, column 1007",
    ),
    "import-kustomization-recursive-alias": (
        "a kustomization directory whose resource holds an alias to its own node",
        "cm.yaml: document 1: an alias refers to a node containing it",
    ),
    "import-kustomization-escaping-budget": (
        "a kustomization directory whose files exceed the 16 MiB input limit",
        "k: the kustomization's files (below {tmp}/project/k) are larger than "
        "the 16 MiB kustgen reads",
    ),
}


def _writer(files: Mapping[str, bytes]) -> Callable[[Sandbox], None]:
    """Input files go beside the target module; a name starting with ``/`` beside the root."""

    def setup(sandbox: Sandbox) -> None:
        for name, data in files.items():
            base = sandbox.tmp if name.startswith("/") else sandbox.tmp / "project"
            path = base / name.lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    return setup


def _entry(case_id: str, files: Mapping[str, bytes], command: tuple[str, ...],
           prefix: str) -> Entry:
    hostile, line = ANSWERS[case_id]
    assert line.replace("{tmp}/", "").startswith(prefix), (case_id, line, prefix)
    args = list(command)
    at = args.index("--out")
    out = args[at + 1]
    del args[at: at + 2]
    moved = {("/" + n if n == out else n): data for n, data in files.items()}
    return Entry(id=case_id, hostile=hostile, error="kustgen: error: " + line,
                 args=tuple(args), out=out, target=False, prebuilt=False,
                 setup=_writer(moved))


ENTRIES = [_entry(c.id, c.files, c.command, c.expected) for c in CASES]
