"""Property: for random objects and random environment differences, `kustgen import` is exact.

Random Deployments, ConfigMaps, Services and schema-less custom resources make
a reference environment; the other environments change it at random (values,
label and data keys, list elements such as containers, env entries and
ports, whole objects added and removed).  The generated module must render
each environment back to its input -- checked here independently of the
import's own proof -- and every change must touch only what differs.

The default example count is small; set IMPORT_PROPERTY_EXAMPLES for more.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kustgen.imports import ImportRequest, generate
from kustgen.imports.roundtrip import compare, rendered
from kustgen.untrusted_yaml import read_documents

EXAMPLES = int(os.environ.get("IMPORT_PROPERTY_EXAMPLES", "8"))

names = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
texts = st.text(st.characters(max_codepoint=0xFFFD, exclude_categories=("Cs", "Cc")),
                max_size=30) | st.sampled_from(
    ["line one\nline two\n", "a\tb", 'quote " and """', "\\", "yes", "0777", "", "x" * 120,
     "".join(f"row {i}\n" for i in range(12))])
label_maps = st.dictionaries(st.from_regex(r"[a-z]{1,5}(\.io/[a-z]{1,5})?", fullmatch=True),
                             names, max_size=3)


@st.composite
def containers(draw: st.DrawFn) -> dict[str, Any]:
    container: dict[str, Any] = {"name": draw(names), "image": f"{draw(names)}:{draw(names)}"}
    if draw(st.booleans()):
        container["args"] = draw(st.lists(texts, max_size=3))
    if draw(st.booleans()):
        env = draw(st.lists(names, unique=True, max_size=3))
        container["env"] = [{"name": n.upper(), "value": draw(texts)} for n in env]
    return container


@st.composite
def objects(draw: st.DrawFn) -> list[dict[str, Any]]:
    namespace = draw(st.sampled_from(["app", "other"]))
    result: list[dict[str, Any]] = []
    for name in draw(st.lists(names, unique=True, min_size=1, max_size=4)):
        kind = draw(st.sampled_from(["Deployment", "ConfigMap", "Service", "Widget"]))
        meta: dict[str, Any] = {"name": name, "namespace": namespace}
        labels = draw(label_maps)
        if labels:
            meta["labels"] = labels
        if kind == "Deployment":
            pods = draw(st.lists(containers(), min_size=1, max_size=3,
                                 unique_by=lambda c: c["name"]))
            obj = {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": {
                "replicas": draw(st.integers(0, 5)),
                "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}},
                             "spec": {"containers": pods}}}}
        elif kind == "ConfigMap":
            obj = {"apiVersion": "v1", "kind": kind, "metadata": meta,
                   "data": draw(st.dictionaries(names, texts, max_size=4))}
        elif kind == "Service":
            ports = draw(st.lists(st.integers(1, 65535), unique=True, min_size=1, max_size=3))
            obj = {"apiVersion": "v1", "kind": kind, "metadata": meta,
                   "spec": {"ports": [{"name": f"p{p}", "port": p} for p in ports],
                            "selector": {"app": name}}}
        else:
            obj = {"apiVersion": "example.com/v1", "kind": kind, "metadata": meta,
                   "spec": {"size": draw(st.integers(0, 9)), "tags": draw(st.lists(names,
                                                                                   max_size=3)),
                            "nested": {"on": draw(st.booleans()), "text": draw(texts)}}}
        result.append(obj)
    return result


@st.composite
def changed(draw: st.DrawFn, reference: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of ``reference`` with random differences."""
    env = copy.deepcopy(reference)
    for obj in env:
        if not draw(st.booleans()):
            continue
        meta = obj["metadata"]
        if draw(st.booleans()):
            meta["labels"] = {**meta.get("labels", {}), **draw(label_maps)}
            for key in draw(st.lists(st.sampled_from(sorted(meta["labels"]) or ["x"]),
                                     max_size=1)):
                meta["labels"].pop(key, None)
            if not meta["labels"]:
                del meta["labels"]
        kind = obj["kind"]
        if kind == "Deployment":
            spec = obj["spec"]
            spec["replicas"] = draw(st.integers(0, 5))
            pods = spec["template"]["spec"]["containers"]
            if draw(st.booleans()) and len(pods) > 1:
                del pods[draw(st.integers(0, len(pods) - 1))]
            if draw(st.booleans()):
                new = draw(containers())
                if all(c["name"] != new["name"] for c in pods):
                    pods.insert(draw(st.integers(0, len(pods))), new)
            pod = pods[draw(st.integers(0, len(pods) - 1))]
            pod["image"] = f"{draw(names)}:{draw(names)}"
            env_vars = pod.setdefault("env", [])
            if env_vars and draw(st.booleans()):
                env_vars[draw(st.integers(0, len(env_vars) - 1))]["value"] = draw(texts)
            if env_vars and draw(st.booleans()):
                del env_vars[0]
            extra = draw(names).upper()
            if draw(st.booleans()) and all(e["name"] != extra for e in env_vars):
                env_vars.append({"name": extra, "value": draw(texts)})
            if not env_vars:
                del pod["env"]
        elif kind == "ConfigMap":
            data = obj["data"]
            for key in draw(st.lists(st.sampled_from(sorted(data) or ["x"]), max_size=2)):
                data.pop(key, None)
            data.update(draw(st.dictionaries(names, texts, max_size=2)))
        elif kind == "Service":
            ports = obj["spec"]["ports"]
            port = draw(st.integers(1, 65535))
            if all(p["port"] != port for p in ports):
                ports.append({"name": f"p{port}", "port": port})
            if len(ports) > 1 and draw(st.booleans()):
                ports.pop(0)
        else:
            obj["spec"]["size"] = draw(st.integers(0, 9))
            obj["spec"]["tags"] = draw(st.lists(names, max_size=3))
            obj["spec"]["nested"]["text"] = draw(texts)
    if env and draw(st.booleans()):
        env.pop(draw(st.integers(0, len(env) - 1)))
    for obj in draw(objects()):
        obj["metadata"]["name"] += "-new"
        if all(o["metadata"]["name"] != obj["metadata"]["name"] for o in env):
            env.append(obj)
    return env


@st.composite
def environments(draw: st.DrawFn) -> list[list[dict[str, Any]]]:
    reference = draw(objects())
    return [reference, *(draw(changed(reference)) for _ in range(draw(st.integers(1, 2))))]


def _load(source: str, name: str) -> Any:
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        exec(compile(source, name, "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def test_random_environments_import_exactly(tmp_path_factory: Any) -> None:
    counter = iter(range(10**6))

    # Shrinking a failure takes minutes; IMPORT_PROPERTY_SHRINK=1 turns it on to debug one.
    phases = list(Phase) if os.environ.get("IMPORT_PROPERTY_SHRINK") else [
        Phase.explicit, Phase.generate]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=phases,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(environments())
    def check(envs: list[list[dict[str, Any]]]) -> None:
        work: Path = tmp_path_factory.mktemp(f"envs{next(counter)}")
        requested = []
        for i, objs in enumerate(envs):
            path = work / f"env{i}.json"
            path.write_text("\n---\n".join(json.dumps(o) for o in objs),
                            encoding="utf-8")
            requested.append((f"env{i}", [str(path)]))
        result = generate(ImportRequest(out=work / "out.py", envs=requested, verify=False))
        module = _load(result.source, f"_import_property_{next(counter)}")
        for name, paths in requested:
            expected = [d.data for d in read_documents(paths[0])]
            got = rendered(module, name)
            assert list(compare(expected, got, name)) == []
            assert len(expected) == len(got)
        # The reference environment's change never edits an object: the base is its version.
        reference = result.source.split("def env0(")[1].split("\ndef ")[0]
        assert " = objs.get(" not in reference and " = cast(" not in reference

    check()

