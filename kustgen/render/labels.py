"""``commonLabels`` and ``labels`` (FACTS §3.4, observations t5-labels).

``commonLabels`` and ``labels`` with ``includeSelectors`` write into
metadata, selectors and templates; ``includeTemplates`` writes metadata and
templates only; plain ``labels`` only metadata.
"""

from __future__ import annotations

from typing import Any

from kustgen.render.aliases import get, write
from kustgen.render.fieldspec import FieldSpec, places
from kustgen.render.kustfile import Kustomization, check_string_map
from kustgen.render.resmap import ResMap

METADATA = [FieldSpec("metadata/labels", create=True)]

_TEMPLATE_KINDS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job",
                   "ReplicationController")

TEMPLATES = [
    *(FieldSpec("spec/template/metadata/labels", kind=k, create=True) for k in _TEMPLATE_KINDS),
    FieldSpec("spec/volumeClaimTemplates[]/metadata/labels", kind="StatefulSet", create=True),
    FieldSpec("spec/jobTemplate/metadata/labels", kind="CronJob", create=True),
    FieldSpec("spec/jobTemplate/spec/template/metadata/labels", kind="CronJob", create=True),
]

SELECTORS = [
    FieldSpec("spec/selector", kind="Service", version="v1", create=True),
    FieldSpec("spec/selector", kind="ReplicationController", version="v1", create=True),
    *(FieldSpec("spec/selector/matchLabels", kind=k, create=True)
      for k in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet")),
    FieldSpec("spec/selector/matchLabels", kind="Job"),
    FieldSpec("spec/jobTemplate/spec/selector/matchLabels", kind="CronJob"),
    FieldSpec("spec/selector/matchLabels", kind="PodDisruptionBudget"),
    FieldSpec("spec/podSelector/matchLabels", kind="NetworkPolicy"),
    FieldSpec("spec/ingress/from/podSelector/matchLabels", kind="NetworkPolicy"),
    FieldSpec("spec/egress/to/podSelector/matchLabels", kind="NetworkPolicy"),
]


def add_pairs(specs: list[FieldSpec], pairs: dict[str, str], resmap: ResMap) -> None:
    """Set ``pairs`` in the maps ``specs`` reach.  A key created in several places
    of one resource shares one node there (``render.aliases``); writing a key
    that exists writes every place sharing it."""
    if not pairs:
        return
    for res in resmap:
        found: list[tuple[Any, ...]] = []
        seen: set[int] = set()
        for spec in specs:
            if not spec.applies_to(res):
                continue
            for parent, key, path in places(res.obj, spec.parts, spec.create):
                if not isinstance(parent.get(key), dict):
                    parent[key] = {}
                if id(parent[key]) not in seen:
                    seen.add(id(parent[key]))
                    found.append((*path, key))
        for name, value in pairs.items():
            created = []
            for path in found:
                target = get(res.obj, path)
                if name in target:
                    write(res.aliases, res.obj, (*path, name), value)
                else:
                    target[name] = value
                    created.append((*path, name))
            if len(created) > 1:
                res.aliases.append(created)


def run_labels(k: Kustomization, resmap: ResMap) -> None:
    add_pairs(METADATA + SELECTORS + TEMPLATES, k.map_field("commonLabels"), resmap)
    for i, entry in enumerate(k.list_field("labels")):
        field = f"labels[{i}]"
        if not isinstance(entry, dict):
            raise k.error("must be a mapping", field)
        pairs = check_string_map(k.path, f"{field}.pairs", entry.get("pairs"))
        if entry.get("fields"):
            raise k.error("custom label fields are not supported by kustgen", f"{field}.fields")
        specs = list(METADATA)
        if entry.get("includeSelectors"):
            specs += SELECTORS + TEMPLATES
        elif entry.get("includeTemplates"):
            specs += TEMPLATES
        add_pairs(specs, pairs, resmap)
