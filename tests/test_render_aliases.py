"""kubectl as the oracle for values kustomize shares between places of a resource.

A labels or annotations transformer that creates a key in the metadata and
the pod template (and selector) of one resource inserts one YAML node in all
of them; a later write to one place (a strategic-merge patch, an overlay's
``labels`` on metadata only, a transformer) changes them all, and a JSON6902
patch ends the sharing (kustgen.render.aliases).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kustgen import yamlio
from kustgen.render import render

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b, kept: here}}
    spec:
      containers: [{name: a, image: x}]
"""
BASE = """\
resources: [d.yaml]
commonAnnotations: {note: base}
labels:
- pairs: {tier: one, kept: base}
  includeSelectors: true
"""
SMP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations: {note: patched}
  labels: {tier: two, kept: patched}
"""
TRANSFORMER = """\
apiVersion: builtin
kind: AnnotationsTransformer
metadata: {name: notes}
annotations: {note: transformed}
fieldSpecs: [{path: metadata/annotations, create: true}]
"""

OVERLAYS = {
    "patch": "resources: [../base]\npatches: [{path: smp.yaml}]\n",
    "labels on metadata only": "resources: [../base]\nlabels: [{pairs: {tier: three}}]\n",
    "json6902 first": "resources: [../base]\npatches:\n"
    "- patch: '[{\"op\": \"add\", \"path\": \"/spec/replicas\", \"value\": 2}]'\n"
    "  target: {kind: Deployment, name: d}\n- path: smp.yaml\n",
    "json6902 after": "resources: [../base]\npatches:\n- path: smp.yaml\n"
    "- patch: '[{\"op\": \"add\", \"path\": \"/spec/replicas\", \"value\": 2}]'\n"
    "  target: {kind: Deployment, name: d}\n",
    "transformer": "resources: [../base]\ntransformers: [t.yaml]\n",
    "common annotations again": "resources: [../base]\ncommonAnnotations: {note: again}\n",
    "two levels": "resources: [../patch]\nlabels: [{pairs: {tier: four}}]\n",
}


@pytest.mark.kubectl
@pytest.mark.parametrize("case", sorted(OVERLAYS))
def test_shared_values_change_together_as_in_kubectl(
    kubectl: str, tmp_path: Path, case: str
) -> None:
    files = {"base/d.yaml": DEPLOYMENT, "base/kustomization.yaml": BASE,
             "patch/kustomization.yaml": OVERLAYS["patch"], "patch/smp.yaml": SMP,
             "case/kustomization.yaml": OVERLAYS[case], "case/smp.yaml": SMP,
             "case/t.yaml": TRANSFORMER}
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    expected = subprocess.run([kubectl, "kustomize", str(tmp_path / "case")],
                              capture_output=True, text=True, check=True).stdout
    assert yamlio.dump_all(render(files, "case")) == expected
