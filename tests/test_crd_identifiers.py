"""import-crd turns any valid CRD into a module that imports, whatever its names and texts."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kustgen.codegen import import_crds
from kustgen.model import from_dict, to_dict


def _crd(kind: str, version: str, properties: dict[str, object], description: str) -> str:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{kind.lower()}s.odd.example.com"},
        "spec": {
            "group": "odd.example.com",
            "names": {"kind": kind, "plural": f"{kind.lower()}s"},
            "scope": "Namespaced",
            "versions": [{
                "name": version, "served": True, "storage": True,
                "schema": {"openAPIV3Schema": {
                    "type": "object", "description": description,
                    "properties": {
                        "metadata": {"type": "object"},
                        "spec": {"type": "object", "description": description,
                                 "properties": properties},
                    },
                }},
            }],
        },
    }
    return json.dumps(crd)  # JSON is YAML, and keeps the escapes exact


@pytest.mark.parametrize("kind", ["Model", "Resource", "RESOURCES", "Any", "None", "Exception",
                                  "ClassVar", "Quantity"])
def test_kinds_named_like_module_names_keywords_or_builtins(kind: str, tmp_path: Path) -> None:
    properties = {name: {"type": "string"} for name in
                  ("self", "class", "from", "__init__", "x-y", "3d", "ünïcode", "Any", "None")}
    nasty = 'Ends with a quote"\x00 and a \\ """ triple \u2028 line\nsep'
    crd = tmp_path / "crd.yaml"
    crd.write_text(_crd(kind, "v1alpha-2", properties, nasty), encoding="utf-8")
    [written] = import_crds([crd], tmp_path / "out")
    source = written.read_text(encoding="utf-8")
    compile(source, str(written), "exec")
    assert "\x00" not in source
    spec = importlib.util.spec_from_file_location(f"odd_{kind}", written)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        cls = module.RESOURCES[("odd.example.com/v1alpha-2", kind)]
        data = {"apiVersion": "odd.example.com/v1alpha-2", "kind": kind,
                "metadata": {"name": "x"}, "spec": {"self": "a", "class": "b", "x-y": "c"}}
        assert to_dict(from_dict(data, types=(module,))) == data
        assert cls.__doc__ is not None and "\x00" in cls.__doc__  # the text survives, escaped
        # The module's own names still mean what they meant.
        assert module.Model.__module__ == "kustgen.model"
    finally:
        del sys.modules[spec.name]
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "E9,F",
                           "--no-cache", str(written)], capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout


def test_every_problem_of_every_crd_is_listed_the_first_as_the_error(tmp_path: Path) -> None:
    from kustgen.codegen.crdshape import read_crd_files
    from kustgen.errors import InputError

    head = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
    (tmp_path / "a.yaml").write_text(head + "spec: {}\n")
    (tmp_path / "b.yaml").write_text(head + "spec: {group: x.io, names: {kind: 'a b'}, "
                                     "versions: [{name: v1, served: 'yes'}]}\n")
    with pytest.raises(InputError) as info:
        read_crd_files([tmp_path / "a.yaml", tmp_path / "b.yaml"])
    assert info.value.format() == (
        f"{tmp_path / 'a.yaml'}: document 1: spec.group: is missing "
        "(and 4 more problems, listed above)")
    assert info.value.details.splitlines() == [
        f"{tmp_path / 'a.yaml'}: document 1: spec.names: is missing",
        f"{tmp_path / 'a.yaml'}: document 1: spec.versions: is missing",
        f"{tmp_path / 'b.yaml'}: document 1: spec.names.kind: 'a b' is not a valid name "
        "(letters and digits, starting with a letter)",
        f"{tmp_path / 'b.yaml'}: document 1: spec.versions[0].served: expected a boolean, "
        "got a string",
    ]
