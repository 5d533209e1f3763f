"""ref-not-rewritten: a Secret or ConfigMap named by the name the build replaced.

Kustomize rewrites a reference to a renamed object (a generator's content
hash, ``namePrefix``/``nameSuffix``) only in the fields its name-reference
table lists.  A CSI volume's ``nodePublishSecretRef`` (an SMB or NFS share's
credentials), the secret references of other volume plugins, ephemeral
containers, a ServiceAccount's ``secrets``, a ReplicationController's pod
template, a PersistentVolume's CSI secrets and a StorageClass's
``csi.storage.k8s.io/*-secret-name`` parameters keep the name as written,
so the pod or the driver looks for an object that does not exist.

The rule looks at every Kubernetes field that names a Secret or ConfigMap:
when no object of that name is in the namespace but one the build renamed
from it is, the reference was not rewritten.  The fix it suggests is a
``NameReference`` (kustomize ``configurations:``), after which kustomize
rewrites the field and the rule is quiet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from kustgen.lint.context import Context, Hit, name_of, namespace_of

#: kustomize's hash suffix (FACTS §3.5).
_HASHED = re.compile(r"^(.+)-[2456789bcdfghkmt]{10}$")

#: Where each workload kind keeps its pod spec.
_POD_SPECS = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    **{kind: ("spec", "template", "spec") for kind in (
        "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController")},
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_VOLUME_SECRET_REFS = ("cephfs", "cinder", "flexVolume", "iscsi", "rbd", "scaleIO", "storageos")
_CSI_SECRETS = ("nodePublishSecretRef", "controllerPublishSecretRef", "nodeStageSecretRef",
                "controllerExpandSecretRef", "nodeExpandSecretRef")
_CSI_PARAMETERS = re.compile(r"^csi\.storage\.k8s\.io/([a-z-]+)-secret-name$")

#: (kind referred to, field path, name as found (any value), explicit namespace or None)
Ref = tuple[str, str, Any, str | None]


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _items(node: Any) -> list[tuple[int, Mapping[str, Any]]]:
    return [(i, item) for i, item in enumerate(node) if isinstance(item, Mapping)] \
        if isinstance(node, list) else []


def _pod_refs(pod: Mapping[str, Any], at: str) -> Iterator[Ref]:
    for i, vol in _items(pod.get("volumes")):
        v = f"{at}.volumes[{i}]"
        yield "Secret", f"{v}.secret.secretName", _get(vol, "secret", "secretName"), None
        yield "ConfigMap", f"{v}.configMap.name", _get(vol, "configMap", "name"), None
        yield "Secret", f"{v}.csi.nodePublishSecretRef.name", \
            _get(vol, "csi", "nodePublishSecretRef", "name"), None
        yield "Secret", f"{v}.azureFile.secretName", _get(vol, "azureFile", "secretName"), None
        for plugin in _VOLUME_SECRET_REFS:
            yield "Secret", f"{v}.{plugin}.secretRef.name", \
                _get(vol, plugin, "secretRef", "name"), None
        for j, source in _items(_get(vol, "projected", "sources")):
            s = f"{v}.projected.sources[{j}]"
            yield "Secret", f"{s}.secret.name", _get(source, "secret", "name"), None
            yield "ConfigMap", f"{s}.configMap.name", _get(source, "configMap", "name"), None
    for i, secret in _items(pod.get("imagePullSecrets")):
        yield "Secret", f"{at}.imagePullSecrets[{i}].name", secret.get("name"), None
    for key in ("containers", "initContainers", "ephemeralContainers"):
        for i, container in _items(pod.get(key)):
            c = f"{at}.{key}[{i}]"
            for j, env in _items(container.get("env")):
                e = f"{c}.env[{j}].valueFrom"
                yield "Secret", f"{e}.secretKeyRef.name", \
                    _get(env, "valueFrom", "secretKeyRef", "name"), None
                yield "ConfigMap", f"{e}.configMapKeyRef.name", \
                    _get(env, "valueFrom", "configMapKeyRef", "name"), None
            for j, source in _items(container.get("envFrom")):
                e = f"{c}.envFrom[{j}]"
                yield "Secret", f"{e}.secretRef.name", _get(source, "secretRef", "name"), None
                yield "ConfigMap", f"{e}.configMapRef.name", \
                    _get(source, "configMapRef", "name"), None


def references(obj: Mapping[str, Any]) -> Iterator[Ref]:
    """Every Secret and ConfigMap ``obj`` names (built-in kinds), set or not."""
    kind = obj.get("kind")
    path = _POD_SPECS.get(str(kind))
    if path is not None:
        pod = _get(obj, *path)
        if isinstance(pod, Mapping):
            yield from _pod_refs(pod, ".".join(path))
    if kind == "ServiceAccount":
        for key in ("secrets", "imagePullSecrets"):
            for i, item in _items(obj.get(key)):
                yield "Secret", f"{key}[{i}].name", item.get("name"), None
    elif kind == "Ingress":
        for i, tls in _items(_get(obj, "spec", "tls")):
            yield "Secret", f"spec.tls[{i}].secretName", tls.get("secretName"), None
    elif kind == "PersistentVolume":
        spec = obj.get("spec")
        for key in _CSI_SECRETS:
            ref = _get(spec, "csi", key)
            if isinstance(ref, Mapping):
                yield ("Secret", f"spec.csi.{key}.name", ref.get("name"),
                       str(ref.get("namespace") or "default"))
        for plugin in _VOLUME_SECRET_REFS:
            ref = _get(spec, plugin, "secretRef")
            if isinstance(ref, Mapping):
                yield ("Secret", f"spec.{plugin}.secretRef.name", ref.get("name"),
                       str(ref.get("namespace") or "default"))
    elif kind == "StorageClass":
        parameters = obj.get("parameters")
        if not isinstance(parameters, Mapping):
            return
        for key, value in parameters.items():
            found = _CSI_PARAMETERS.match(str(key))
            if found:
                namespace = parameters.get(f"csi.storage.k8s.io/{found.group(1)}-secret-namespace")
                yield ("Secret", f"parameters.{key}", value,
                       str(namespace) if isinstance(namespace, str) else None)


def _renamed_from(ctx: Context) -> dict[tuple[str, str, str], str]:
    """(kind, namespace, name as written) -> name in the build, for Secrets and
    ConfigMaps the build renamed (content hash, the overlay's prefix/suffix)."""
    prefix, suffix = ctx.overlay.name_prefix or "", ctx.overlay.name_suffix or ""
    found: dict[tuple[str, str, str], str] = {}
    for kind in ("Secret", "ConfigMap"):
        for obj in ctx.of_kind(kind, ""):
            name = name_of(obj)
            hashed = _HASHED.match(name)
            plain = hashed.group(1) if hashed else name
            if plain.startswith(prefix) and plain.endswith(suffix) and len(plain) > len(
                    prefix) + len(suffix):
                written = plain[len(prefix):len(plain) - len(suffix)]
            else:
                written = plain
            namespace = namespace_of(obj) or "default"
            for original in {written, plain}:
                if original != name:
                    found.setdefault((kind, namespace, original), name)
    return found


def _field_spec_path(field: str) -> str:
    return re.sub(r"\[\d+\]", "", field).replace(".", "/")


def not_rewritten(ctx: Context) -> Iterator[Hit]:
    """ref-not-rewritten: a Secret/ConfigMap named as written, which the build renamed.

    Kustomize rewrites references to a renamed object only in the fields of
    its name-reference table (a CSI volume's nodePublishSecretRef is not one).
    """
    renamed = _renamed_from(ctx)
    if not renamed:
        return
    present = {(str(o.get("kind")), namespace_of(o) or "default", name_of(o))
               for kind in ("Secret", "ConfigMap") for o in ctx.of_kind(kind, "")}
    for obj in ctx.objects:
        for kind, field, name, namespace in references(obj):
            if not isinstance(name, str) or not name:
                continue
            where = namespace or namespace_of(obj) or "default"
            if (kind, where, name) in present or (kind, where, name) not in renamed:
                continue
            spec = f'FieldSpec(path="{_field_spec_path(field)}", kind="{obj.get("kind")}")'
            yield obj, field, (
                f"names {kind} {name!r}, which the build renamed "
                f"{renamed[(kind, where, name)]!r}: kustomize does not rewrite this field, so "
                f"it names a {kind} that does not exist; add NameReference(kind=\"{kind}\", "
                f"field_specs=[{spec}]) to the overlay's name_references "
                "(kustomize configurations:)"
            )

