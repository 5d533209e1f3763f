"""Name-reference propagation (kustomize's nameReference / FixBackReferences).

After the whole build, a reference field whose value is an earlier name of a
resource in the build is rewritten to that resource's final name (prefix,
suffix, hash).  References to objects outside the build stay as written
(FACTS §3.3, observations t2-prefix, t6-ns, t8-nameref).  ``configurations:``
files add ``nameReference`` entries for custom kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kustgen.errors import ConflictError, InputError
from kustgen.render.fieldspec import FieldSpec, apply_specs, pod_specs
from kustgen.render.resmap import ResMap
from kustgen.render.resource import Resource, same_namespace, split_api_version
from kustgen.render.scope import is_cluster_scoped
from kustgen.render.yamlload import load_plain_yaml


@dataclass(frozen=True)
class NameRef:
    """Resources of ``kind`` (and ``group``) are named in ``specs``."""

    kind: str
    group: str
    specs: tuple[FieldSpec, ...]


def _pods(*suffixes: str) -> tuple[FieldSpec, ...]:
    return tuple(spec for s in suffixes for spec in pod_specs(s))


#: Kinds whose pod template kustomize's table lists for ConfigMaps and Secrets
#: (not ReplicationController, not ephemeral containers).
_TEMPLATED = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job")


def _pod_refs(*suffixes: str) -> tuple[FieldSpec, ...]:
    """``suffixes`` below the pod spec of Pods, PodTemplates and the templated kinds."""
    specs = []
    for suffix in suffixes:
        specs.append(FieldSpec(f"spec/{suffix}", kind="Pod"))
        specs.append(FieldSpec(f"template/spec/{suffix}", kind="PodTemplate"))
        specs.extend(FieldSpec(f"spec/template/spec/{suffix}", kind=k) for k in _TEMPLATED)
        specs.append(FieldSpec(f"spec/jobTemplate/spec/template/spec/{suffix}", kind="CronJob"))
    return tuple(specs)


def _containers(ref: str) -> tuple[str, ...]:
    return tuple(f"{c}/{ref}" for c in ("containers", "initContainers"))


_RESOURCE_NAMES = (FieldSpec("rules/resourceNames", kind="Role"),
                   FieldSpec("rules/resourceNames", kind="ClusterRole"))
_NGINX = "metadata/annotations/nginx.ingress.kubernetes.io\\/"

#: Kustomize v5.5.0's nameReference table (api/internal/konfig/builtinpluginconsts).
#: Its ConfigMap and Secret rows are complete but for Node spec/configSource/configMap
#: (a name/namespace mapping; dynamic kubelet config left Kubernetes in 1.24).
BUILTIN: tuple[NameRef, ...] = (
    NameRef("ConfigMap", "", (
        *_pod_refs(
            "volumes/configMap/name", "volumes/projected/sources/configMap/name",
            *_containers("env/valueFrom/configMapKeyRef/name"),
            *_containers("envFrom/configMapRef/name"),
        ),
        *_RESOURCE_NAMES,
        FieldSpec(f"{_NGINX}fastcgi-params-configmap", kind="Ingress"),
    )),
    NameRef("Secret", "", (
        *_pod_refs(
            "volumes/secret/secretName", "volumes/projected/sources/secret/name",
            "imagePullSecrets/name",
            *_containers("env/valueFrom/secretKeyRef/name"),
            *_containers("envFrom/secretRef/name"),
        ),
        FieldSpec("spec/tls/secretName", kind="Ingress"),
        FieldSpec("metadata/annotations/ingress.kubernetes.io\\/auth-secret", kind="Ingress"),
        FieldSpec(f"{_NGINX}auth-secret", kind="Ingress"),
        FieldSpec(f"{_NGINX}auth-tls-secret", kind="Ingress"),
        FieldSpec("imagePullSecrets/name", kind="ServiceAccount"),
        *(FieldSpec(f"parameters/{p}", kind="StorageClass")
          for p in ("secretName", "adminSecretName", "userSecretName", "secretRef")),
        *_RESOURCE_NAMES,
        FieldSpec("spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
                  kind="Service", group="serving.knative.dev", version="v1"),
        FieldSpec("spec/azureFile/secretName", kind="PersistentVolume"),
    )),
    NameRef("ServiceAccount", "", (
        *_pods("serviceAccountName", "serviceAccount"),
        FieldSpec("subjects", kind="RoleBinding"),
        FieldSpec("subjects", kind="ClusterRoleBinding"),
    )),
    NameRef("PersistentVolumeClaim", "", _pods("volumes/persistentVolumeClaim/claimName")),
    NameRef("PersistentVolume", "", (FieldSpec("spec/volumeName", kind="PersistentVolumeClaim"),)),
    NameRef("StorageClass", "storage.k8s.io", (
        FieldSpec("spec/storageClassName", kind="PersistentVolumeClaim"),
        FieldSpec("spec/storageClassName", kind="PersistentVolume"),
        FieldSpec("spec/volumeClaimTemplates/spec/storageClassName", kind="StatefulSet"),
    )),
    NameRef("Service", "", (
        FieldSpec("spec/serviceName", kind="StatefulSet"),
        FieldSpec("spec/rules/http/paths/backend/service/name", kind="Ingress"),
        FieldSpec("spec/defaultBackend/service/name", kind="Ingress"),
        FieldSpec("spec/rules/http/paths/backend/serviceName", kind="Ingress"),
        FieldSpec("spec/backend/serviceName", kind="Ingress"),
        FieldSpec("spec/service/name", kind="APIService"),
    )),
    NameRef("Role", "rbac.authorization.k8s.io", (FieldSpec("roleRef", kind="RoleBinding"),)),
    NameRef("ClusterRole", "rbac.authorization.k8s.io", (
        FieldSpec("roleRef", kind="RoleBinding"),
        FieldSpec("roleRef", kind="ClusterRoleBinding"),
    )),
    NameRef("PriorityClass", "scheduling.k8s.io", _pods("priorityClassName")),
    NameRef("Deployment", "apps", (
        FieldSpec("spec/scaleTargetRef/name", kind="HorizontalPodAutoscaler"),)),
    NameRef("StatefulSet", "apps", (
        FieldSpec("spec/scaleTargetRef/name", kind="HorizontalPodAutoscaler"),)),
)


def parse_configuration(text: str, source: str) -> list[NameRef]:
    """``nameReference`` entries of a ``configurations:`` file."""
    data = load_plain_yaml(text, source) or {}
    if not isinstance(data, dict):
        raise InputError("a configuration file must be a mapping", obj=source)
    refs = []
    for i, entry in enumerate(data.get("nameReference") or []):
        if not isinstance(entry, dict) or not entry.get("kind"):
            raise InputError("needs kind and fieldSpecs", obj=source, field=f"nameReference[{i}]")
        specs = tuple(
            FieldSpec(str(fs["path"]), kind=fs.get("kind"), group=fs.get("group"),
                      version=fs.get("version"))
            for fs in entry.get("fieldSpecs") or [] if isinstance(fs, dict) and fs.get("path")
        )
        refs.append(NameRef(str(entry["kind"]), str(entry.get("group") or ""), specs))
    return refs


def _candidates(resmap: ResMap, ref: NameRef, referrer: Resource, value: str,
                namespace: str | None) -> list[Resource]:
    found = []
    for res in resmap.named(value):  # had the name ``value`` at some point
        if res.obj["kind"] != ref.kind or split_api_version(res.api_version)[0] != ref.group:
            continue
        if namespace is not None:
            if not same_namespace(namespace, res.namespace):
                continue
        elif not is_cluster_scoped(referrer.kind) and not is_cluster_scoped(ref.kind) \
                and ref.kind != "ServiceAccount" \
                and not same_namespace(referrer.namespace, res.namespace):
            continue
        found.append(res)
    return found


def _rewrite(resmap: ResMap, ref: NameRef, referrer: Resource, specs: list[FieldSpec]) -> None:
    def fix(parent: dict[str, Any], key: str) -> None:
        node = parent.get(key)
        if key in ("roleRef", "subjects"):
            items = node if isinstance(node, list) else [node]
            for item in items:
                if isinstance(item, dict) and item.get("kind") == ref.kind:
                    ns = item.get("namespace", "") if key == "subjects" else None
                    _fix_value(item, "name", ns)
            return
        if isinstance(node, list):
            for index in range(len(node)):
                _fix_value(node, index, None)
        else:
            _fix_value(parent, key, None)

    def _fix_value(container: Any, key: Any, ns: str | None) -> None:
        value = container[key] if not isinstance(container, dict) else container.get(key)
        if not isinstance(value, str):
            return
        found = _candidates(resmap, ref, referrer, value, ns)
        if len(found) > 1:
            same = [r for r in found if same_namespace(r.namespace, referrer.namespace)]
            found = same if len(same) == 1 else found
        if len(found) > 1:
            raise ConflictError(f"found multiple possible referrals for {ref.kind} {value!r}",
                                obj=str(referrer.cur_id()))
        if found:
            container[key] = found[0].name

    apply_specs(referrer, specs, fix)


def fix_back_references(resmap: ResMap, extra: list[NameRef]) -> None:
    resources = list(resmap)
    for ref in (*BUILTIN, *extra):
        # Most specs name one kind: pick a referrer's specs by its kind once.
        by_kind: dict[str, list[FieldSpec]] = {}
        for referrer in resources:
            kind = referrer.obj["kind"]
            specs = by_kind.get(kind)
            if specs is None:
                specs = by_kind[kind] = [s for s in ref.specs if s.kind in (None, kind)]
            if specs:
                _rewrite(resmap, ref, referrer, specs)
