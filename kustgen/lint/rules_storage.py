"""Claims and StorageClasses: unknown classes, access modes a class cannot serve, replica counts.

Longhorn's default class ``longhorn`` is not a StorageClass object but the
``storageclass.yaml`` key of ConfigMap ``longhorn-system/longhorn-storageclass``
(FACTS §2.1); it counts as defined when that ConfigMap is in the tree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from kustgen.lint.context import Context, Hit, Obj, name_of, namespace_of, spec

LONGHORN = "driver.longhorn.io"
#: Provisioners that serve only single-node access modes.
SINGLE_NODE = frozenset(
    {"rancher.io/local-path", "kubernetes.io/no-provisioner", "openebs.io/local"}
)
#: External classes whose name says what they are (k3s ships local-path).
SINGLE_NODE_NAMES = frozenset({"local-path"})
RWX = "ReadWriteMany"


@dataclass
class Class:
    obj: Obj
    field: str  # where its parameters live inside obj
    provisioner: str
    parameters: Mapping[str, Any]


def storage_classes(ctx: Context) -> dict[str, Class]:
    found: dict[str, Class] = {}
    for cm in ctx.of_kind("ConfigMap", ""):
        if name_of(cm) != "longhorn-storageclass" or namespace_of(cm) != "longhorn-system":
            continue
        try:
            embedded = yaml.safe_load((cm.get("data") or {}).get("storageclass.yaml") or "")
        except yaml.YAMLError:
            continue
        if isinstance(embedded, Mapping) and isinstance(embedded.get("metadata"), Mapping):
            found[str(embedded["metadata"].get("name"))] = Class(
                cm,
                "data.storageclass.yaml: parameters",
                str(embedded.get("provisioner", "")),
                embedded.get("parameters") or {},
            )
    for sc in ctx.of_kind("StorageClass", "storage.k8s.io"):
        found[name_of(sc)] = Class(
            sc, "parameters", str(sc.get("provisioner", "")), sc.get("parameters") or {}
        )
    return found


def _claims(ctx: Context) -> Iterator[tuple[Obj, str, Mapping[str, Any]]]:
    """(object, field prefix, claim spec) of every PVC and StatefulSet claim template."""
    for pvc in ctx.of_kind("PersistentVolumeClaim", ""):
        yield pvc, "spec", spec(pvc)
    for sts in ctx.of_kind("StatefulSet", "apps"):
        for i, template in enumerate(spec(sts).get("volumeClaimTemplates") or []):
            if isinstance(template, Mapping):
                yield sts, f"spec.volumeClaimTemplates[{i}].spec", template.get("spec") or {}


def _external(ctx: Context) -> Mapping[str, list[str] | None]:
    return ctx.external_storage_classes()


def unknown_class(ctx: Context) -> Iterator[Hit]:
    """pvc-storage-class: a claim names a class neither in the tree nor declared external."""
    defined = storage_classes(ctx)
    external = _external(ctx)
    for obj, prefix, claim in _claims(ctx):
        name = claim.get("storageClassName")
        if name and name not in defined and name not in external:
            yield obj, f"{prefix}.storageClassName", (
                f"StorageClass {name!r} is neither defined in this environment nor declared "
                "in Cluster(external=External(storage_classes=...))"
            )


def _rwx_problem(cls: Class, claim: Mapping[str, Any]) -> str | None:
    if cls.provisioner in SINGLE_NODE:
        return f"provisioner {cls.provisioner} serves single-node volumes only"
    if cls.provisioner == LONGHORN:
        migratable = str(cls.parameters.get("migratable", "false")) == "true"
        block = claim.get("volumeMode") == "Block"
        if block and not migratable:
            return "Longhorn serves ReadWriteMany block volumes only with migratable: \"true\""
        if migratable and not block:
            return "a migratable Longhorn class serves ReadWriteMany only for volumeMode: Block"
    return None


def rwx_unsupported(ctx: Context) -> Iterator[Hit]:
    """pvc-rwx: ReadWriteMany on a class that cannot serve it."""
    defined = storage_classes(ctx)
    external = _external(ctx)
    for obj, prefix, claim in _claims(ctx):
        modes = claim.get("accessModes") or []
        name = claim.get("storageClassName")
        if RWX not in modes or not name:
            continue
        field = f"{prefix}.accessModes[{modes.index(RWX)}]"
        problem = None
        if name in defined:
            problem = _rwx_problem(defined[name], claim)
        elif name in external:
            serves = external[name]
            if serves is not None and RWX not in serves:
                problem = f"declared as serving {', '.join(serves) or 'no access mode'} only"
            elif serves is None and name in SINGLE_NODE_NAMES:
                problem = f"{name} (k3s) provisions single-node volumes only"
        if problem:
            yield obj, field, f"StorageClass {name!r} cannot serve ReadWriteMany: {problem}"


def _replica_counts(value: Any) -> list[int]:
    """Replica counts in a parameter or setting value: "3" or '{"v1":"3","v2":"2"}'."""
    text = str(value)
    try:
        parsed = json.loads(text)
    except ValueError:
        return []
    values = parsed.values() if isinstance(parsed, dict) else [parsed]
    counts = []
    for item in values:
        try:
            counts.append(int(item))
        except (TypeError, ValueError):
            continue
    return counts


def replicas_over_nodes(ctx: Context) -> Iterator[Hit]:
    """longhorn-replicas: a Longhorn replica count above the declared node count."""
    nodes = ctx.cluster.nodes
    if nodes is None:
        return
    for name, cls in sorted(storage_classes(ctx).items()):
        if cls.provisioner != LONGHORN:
            continue
        for count in _replica_counts(cls.parameters.get("numberOfReplicas", "3"))[:1]:
            if count > nodes:
                yield cls.obj, f"{cls.field}.numberOfReplicas", (
                    f"class {name!r} asks for {count} replicas on a cluster of {nodes} node(s)"
                )
    for setting in ctx.of_kind("Setting", "longhorn.io"):
        if name_of(setting) != "default-replica-count":
            continue
        counts = [c for c in _replica_counts(setting.get("value")) if c > nodes]
        if counts:
            yield setting, "value", (
                f"default replica count {max(counts)} on a cluster of {nodes} node(s)"
            )
