"""``replicas``: set ``spec.replicas`` of Deployments, StatefulSets,
ReplicaSets and ReplicationControllers by original or current name; a name
that matches none of them is an error, as in kustomize."""

from __future__ import annotations

from kustgen.render.kustfile import Kustomization
from kustgen.render.resmap import ResMap

KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


def run_replicas(k: Kustomization, resmap: ResMap) -> None:
    for i, entry in enumerate(k.list_field("replicas")):
        field = f"replicas[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise k.error("needs name and count", field)
        count = entry.get("count")
        if isinstance(count, bool) or not isinstance(count, int):
            raise k.error("count must be an integer", f"{field}.count")
        found = [r for r in resmap.named(entry["name"]) if r.kind in KINDS]
        if not found:
            raise k.error(
                f"resource with name {entry['name']} does not match a config with the "
                f"following GVK {list(KINDS)}",
                field,
            )
        for res in found:
            spec = res.obj.setdefault("spec", {})
            spec["replicas"] = count
