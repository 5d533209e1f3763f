"""References kustomize does not rewrite: the ref-not-rewritten lint, and
NameReference (kustomize ``configurations:``) making them follow, checked
against kubectl."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from kustgen import (
    Base,
    Cluster,
    ConfigMapGenerator,
    External,
    FieldSpec,
    InputError,
    NameReference,
    Overlay,
    SecretGenerator,
    yamlio,
)
from kustgen.build import input_tree, render_env, write
from kustgen.lint import lint
from kustgen.lint.rules_references import references

CSI = "spec.template.spec.volumes[0].csi.nodePublishSecretRef.name"


def _deployment(volume: dict[str, Any], **pod: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "files", "namespace": "nas"},
        "spec": {"selector": {"matchLabels": {"app": "f"}}, "template": {
            "metadata": {"labels": {"app": "f"}},
            "spec": {"containers": [{"name": "f", "image": "nginx:1.27"}],
                     "volumes": [volume], **pod}}},
    }


SMB = {"name": "share", "csi": {"driver": "smb.csi.k8s.io",
                                "nodePublishSecretRef": {"name": "smb-creds"}}}
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "nas"}}
CSI_SPEC = FieldSpec(path="spec/template/spec/volumes/csi/nodePublishSecretRef/name",
                     kind="Deployment")


def _cluster(objects: list[dict[str, Any]], refs: list[NameReference] | None = None,
             **overlay: Any) -> Cluster:
    base = Base(name="files", objects=objects)
    secrets = [SecretGenerator(name="smb-creds", namespace="nas", envs=["smb.env"])]
    return Cluster(name="c", overlays=[Overlay(
        name="prod", bases=[base], secret_generators=secrets, name_references=refs or [],
        **overlay)], external=External(namespaces=["nas"]))


def _findings(cluster: Cluster) -> set[tuple[str, str, str]]:
    return {(f.rule, f.obj, f.field) for f in lint(cluster) if f.rule == "ref-not-rewritten"}


def test_a_csi_secret_ref_to_a_generated_secret_is_reported() -> None:
    findings = lint(_cluster([NAMESPACE, _deployment(SMB)]))
    found = [f for f in findings if f.rule == "ref-not-rewritten"]
    assert [(f.obj, f.field) for f in found] == [("Deployment/nas/files", CSI)]
    assert "'smb-creds'" in found[0].message and "NameReference" in found[0].message
    assert 'FieldSpec(path="spec/template/spec/volumes/csi/nodePublishSecretRef/name"' \
        in found[0].message


def test_a_prefix_renames_a_plain_secret_the_csi_volume_still_names() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "smb-creds",
                                                                 "namespace": "nas"}}
    cluster = Cluster(name="c", overlays=[Overlay(
        name="prod", bases=[Base(name="files", objects=[NAMESPACE, secret, _deployment(SMB)])],
        name_prefix="lab-")], external=External(namespaces=["nas"]))
    assert _findings(cluster) == {("ref-not-rewritten", "Deployment/nas/lab-files", CSI)}


def test_fields_kustomize_rewrites_are_quiet() -> None:
    volume = {"name": "creds", "secret": {"secretName": "smb-creds"}}
    assert _findings(_cluster([NAMESPACE, _deployment(volume)])) == set()


def test_every_unrewritten_field_is_found() -> None:
    pod = _deployment(SMB, ephemeralContainers=[
        {"name": "e", "image": "x", "envFrom": [{"secretRef": {"name": "smb-creds"}}]}])
    account = {"apiVersion": "v1", "kind": "ServiceAccount",
               "metadata": {"name": "sa", "namespace": "nas"}, "secrets": [{"name": "smb-creds"}]}
    volume = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"},
              "spec": {"csi": {"driver": "d", "volumeHandle": "h", "nodeStageSecretRef": {
                  "name": "smb-creds", "namespace": "nas"}}}}
    storage = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
               "metadata": {"name": "smb"}, "provisioner": "smb.csi.k8s.io",
               "parameters": {"csi.storage.k8s.io/node-stage-secret-name": "smb-creds",
                              "csi.storage.k8s.io/node-stage-secret-namespace": "nas"}}
    found = _findings(_cluster([NAMESPACE, pod, account, volume, storage]))
    assert {(obj, field) for _, obj, field in found} == {
        ("Deployment/nas/files", CSI),
        ("Deployment/nas/files", "spec.template.spec.ephemeralContainers[0].envFrom[0]"
                                 ".secretRef.name"),
        ("ServiceAccount/nas/sa", "secrets[0].name"),
        ("PersistentVolume/pv", "spec.csi.nodeStageSecretRef.name"),
        ("StorageClass/smb", "parameters.csi.storage.k8s.io/node-stage-secret-name"),
    }


def test_references_lists_config_map_and_secret_fields_of_pod_templates() -> None:
    pod = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"},
           "template": {"spec": {"containers": [{"name": "a", "env": [
               {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k"}}}]}]}}}
    assert [r for r in references(pod) if r[2] is not None] == [
        ("ConfigMap", "template.spec.containers[0].env[0].valueFrom.configMapKeyRef.name", "cm",
         None)]


@pytest.mark.kubectl
def test_a_name_reference_makes_the_csi_ref_follow(kubectl: str, tmp_path: Path) -> None:
    cluster = _cluster([NAMESPACE, _deployment(SMB)],
                       [NameReference(kind="Secret", version="v1", field_specs=[CSI_SPEC])])
    assert _findings(cluster) == set()
    write(cluster, tmp_path)
    (tmp_path / "overlays/prod/smb.env").write_text("username=u\npassword=p\n")
    expected = subprocess.run([kubectl, "kustomize", str(tmp_path / "overlays/prod")],
                              capture_output=True, text=True, check=True).stdout
    assert render_env(cluster, "prod", root=tmp_path) == expected
    deployment = next(d for d in yamlio.load_all(expected) if d["kind"] == "Deployment")
    ref = deployment["spec"]["template"]["spec"]["volumes"][0]["csi"]["nodePublishSecretRef"]
    assert ref["name"].startswith("smb-creds-")
    files = input_tree(cluster)
    assert yamlio.load(files["overlays/prod/configurations/name-references.yaml"]) == {
        "nameReference": [{"kind": "Secret", "version": "v1", "fieldSpecs": [
            {"path": "spec/template/spec/volumes/csi/nodePublishSecretRef/name",
             "kind": "Deployment"}]}]}


@pytest.mark.kubectl
def test_a_name_reference_for_a_config_map_in_a_custom_resource(
    kubectl: str, tmp_path: Path
) -> None:
    """The configuration is general: any kind, any field, here a custom resource."""
    backup = {"apiVersion": "example.com/v1", "kind": "Backup",
              "metadata": {"name": "nightly", "namespace": "nas"},
              "spec": {"settingsFrom": ["settings", "other"]}}
    refs = [NameReference(kind="ConfigMap", field_specs=[
        FieldSpec(path="spec/settingsFrom", kind="Backup", group="example.com")])]
    cluster = Cluster(name="c", overlays=[Overlay(
        name="prod", bases=[Base(name="b", objects=[NAMESPACE, backup])], name_prefix="x-",
        config_map_generators=[ConfigMapGenerator(name="settings", namespace="nas",
                                                  literals=["a=b"])],
        name_references=refs)])
    write(cluster, tmp_path)
    expected = subprocess.run([kubectl, "kustomize", str(tmp_path / "overlays/prod")],
                              capture_output=True, text=True, check=True).stdout
    assert render_env(cluster, "prod", root=tmp_path) == expected
    assert "- x-settings-" in expected and "- other\n" in expected


def test_a_name_reference_needs_field_specs() -> None:
    with pytest.raises(InputError):
        NameReference(kind="Secret", field_specs=[])
