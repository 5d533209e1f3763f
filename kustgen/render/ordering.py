"""kubectl kustomize's default ("legacy") output order (FACTS §3.2).

``sort_resources`` is a pure function over the rank table below:
1. kinds in ``ORDER_FIRST`` by their position;
2. other kinds except ``ORDER_LAST`` by ``group_version_kind`` (empty group
   written ``~G``, so core kinds such as Pod follow all grouped kinds);
3. kinds in ``ORDER_LAST`` (the webhook configurations) by position;
inside one group/version/kind by the bytes of ``namespace|name`` with a
missing namespace written ``~X``.
"""

from __future__ import annotations

from typing import Any

ORDER_FIRST: tuple[str, ...] = (
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
    "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
    "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
    "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
    "StatefulSet", "CronJob", "PodDisruptionBudget",
)
ORDER_LAST: tuple[str, ...] = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def gvk_string(doc: dict[str, Any]) -> str:
    api_version = str(doc.get("apiVersion") or "")
    group, _, version = api_version.rpartition("/")
    return f"{group or '~G'}_{version or '~V'}_{doc.get('kind') or '~K'}"


def sort_key(doc: dict[str, Any]) -> tuple[int, int, bytes, bytes]:
    kind = str(doc.get("kind") or "")
    if kind in ORDER_FIRST:
        bucket, rank = 0, ORDER_FIRST.index(kind)
    elif kind in ORDER_LAST:
        bucket, rank = 2, ORDER_LAST.index(kind)
    else:
        bucket, rank = 1, 0
    meta = doc.get("metadata") or {}
    namespace = meta.get("namespace") or "~X"
    ident = f"{namespace}|{meta.get('name', '')}".encode()
    return bucket, rank, gvk_string(doc).encode(), ident


def sort_resources(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``docs`` in kubectl kustomize's legacy order (stable for equal keys)."""
    return sorted(docs, key=sort_key)
