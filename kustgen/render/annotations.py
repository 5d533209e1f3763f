"""``commonAnnotations``: metadata of every resource and pod templates
(FACTS §3.1, observation t14-comp)."""

from __future__ import annotations

from kustgen.render.fieldspec import FieldSpec
from kustgen.render.kustfile import Kustomization
from kustgen.render.labels import add_pairs
from kustgen.render.resmap import ResMap

_TEMPLATE_KINDS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job",
                   "ReplicationController")

SPECS = [
    FieldSpec("metadata/annotations", create=True),
    *(FieldSpec("spec/template/metadata/annotations", kind=k, create=True)
      for k in _TEMPLATE_KINDS),
    FieldSpec("spec/jobTemplate/metadata/annotations", kind="CronJob", create=True),
    FieldSpec("spec/jobTemplate/spec/template/metadata/annotations", kind="CronJob",
              create=True),
]


def run_annotations(k: Kustomization, resmap: ResMap) -> None:
    add_pairs(SPECS, k.map_field("commonAnnotations"), resmap)
