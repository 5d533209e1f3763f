"""Scenario tests of the overlay planner: describe an environment, plan it, and
require `kubectl kustomize` of the written overlay to print exactly the
objects described (and kustgen's render to agree)."""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest

from kustgen import (
    Base,
    Cluster,
    ConfigMapGenerator,
    ConflictError,
    InputError,
    SecretGenerator,
    replace,
    yamlio,
)
from kustgen.build import render_env, write
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta
from kustgen.layout import layout, layout_directory
from kustgen.plan import Environment, Feature, Objects, PlanError, PlanWarning
from kustgen.plan import planner as planner_module
from kustgen.plan.smp import ObjectPatch
from kustgen.render import sort_resources

LABELS = {"app": "web"}


def web_base() -> Base:
    web = apps.Deployment(
        metadata=meta.ObjectMeta(name="web", namespace="web", labels=LABELS),
        spec=apps.DeploymentSpec(
            replicas=1,
            selector=meta.LabelSelector(match_labels=LABELS),
            template=core.PodTemplateSpec(
                metadata=meta.ObjectMeta(labels=LABELS),
                spec=core.PodSpec(
                    containers=[
                        core.Container(
                            name="web",
                            image="nginx:1.27",
                            env=[
                                core.EnvVar(name="A", value="1"),
                                core.EnvVar(name="B", value="2"),
                            ],
                            ports=[core.ContainerPort(container_port=80, name="http")],
                            volume_mounts=[core.VolumeMount(name="data", mount_path="/data")],
                        ),
                        core.Container(name="log", image="busybox:1.36"),
                    ],
                    volumes=[
                        core.Volume(
                            name="data",
                            persistent_volume_claim=core.PersistentVolumeClaimVolumeSource(
                                claim_name="data"
                            ),
                        )
                    ],
                ),
            ),
        ),
    )
    claim = core.PersistentVolumeClaim(
        metadata=meta.ObjectMeta(name="data", namespace="web"),
        spec=core.PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"],
            resources=core.VolumeResourceRequirements(requests={"storage": "1Gi"}),
        ),
    )
    service = core.Service(
        metadata=meta.ObjectMeta(name="web", namespace="web"),
        spec=core.ServiceSpec(selector=LABELS, ports=[core.ServicePort(name="http", port=80)]),
    )
    return Base(name="web", objects=[web, claim, service])


def pod(objs: Objects) -> core.PodSpec:
    return pod_of(objs, "web")


def pod_of(objs: Objects, name: str) -> core.PodSpec:
    spec = objs.get(apps.Deployment, name).spec
    assert spec is not None and spec.template.spec is not None
    return spec.template.spec


def prove(kubectl: str, tmp_path: Path, env: Environment,
          local_files: dict[str, str] | None = None) -> dict[str, str]:
    """Write the planned overlay, and require kubectl == kustgen render == described.
    Returns the overlay's files."""
    cluster = Cluster(name="t", overlays=[env.overlay()])
    write(cluster, tmp_path)
    files = layout(cluster)
    for path, text in (local_files or {}).items():
        (tmp_path / "overlays" / env.name / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "overlays" / env.name / path).write_text(text)
        files[f"overlays/{env.name}/{path}"] = text
    described = yamlio.dump_all(sort_resources(env.objects()))
    assert render_env(cluster, env.name, files=files) == described
    run = subprocess.run([kubectl, "kustomize", str(tmp_path / "overlays" / env.name)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout == described
    return layout_directory(env.overlay())


def kustomization(files: dict[str, str]) -> dict[str, Any]:
    loaded = yamlio.load(files["kustomization.yaml"])
    assert isinstance(loaded, dict)
    return loaded


def test_everyday_changes_use_kustomize_fields_and_small_patches(
    kubectl: str, tmp_path: Path
) -> None:
    base = web_base()

    def production(objs: Objects) -> None:
        deployment = objs.get(apps.Deployment, "web")
        assert deployment.spec is not None
        deployment.spec.replicas = 3
        main = pod(objs).containers[0]
        main.image = "nginx:1.28"
        main.env = [core.EnvVar(name="A", value="9"), core.EnvVar(name="C", value="new")]
        pod(objs).containers.append(core.Container(name="proxy", image="envoyproxy/envoy:v1.31"))
        claim = objs.get(core.PersistentVolumeClaim, "data")
        assert claim.spec is not None
        objs.put(replace(claim, spec=replace(claim.spec, resources=core.VolumeResourceRequirements(
            requests={"storage": "20Gi"}))))
        objs.remove(objs.get(core.Service, "web"))
        objs.add(core.ConfigMap(metadata=meta.ObjectMeta(name="extra", namespace="web"),
                                data={"a": "b"}))
        for obj in objs:
            metadata = obj.metadata  # type: ignore[union-attr]
            metadata.labels = {**(metadata.labels or {}), "environment": "production"}

    env = Environment(name="production", bases=[base], change=production)
    files = prove(kubectl, tmp_path, env)
    k = kustomization(files)
    assert k["replicas"] == [{"name": "web", "count": 3}]
    assert k["images"] == [{"name": "nginx", "newTag": "1.28"}]
    assert k["labels"] == [{"pairs": {"environment": "production"}}]
    assert sorted(files) == [
        "configmap-extra.yaml",  # the object only production has
        "kustomization.yaml",
        "patches/deployment-web.yaml",
        "patches/persistentvolumeclaim-data.yaml",
        "patches/service-web.yaml",
    ]
    assert yamlio.load(files["patches/service-web.yaml"])["$patch"] == "delete"
    patch = files["patches/deployment-web.yaml"]
    assert "image:" not in patch.replace("image: envoyproxy", "")  # images: does the tag
    assert "$patch: delete\n          name: B" in patch
    assert "- image: envoyproxy/envoy:v1.31\n        name: proxy" in patch


def test_namespace_and_prefix_with_references(kubectl: str, tmp_path: Path) -> None:
    base = web_base()

    def renamed(objs: Objects) -> None:
        for obj in objs:
            metadata = obj.metadata  # type: ignore[union-attr]
            metadata.name = f"lab-{metadata.name}"
            metadata.namespace = "lab"
        volumes = pod_of(objs, "lab-web").volumes
        assert volumes is not None and volumes[0].persistent_volume_claim is not None
        volumes[0].persistent_volume_claim.claim_name = "lab-data"

    env = Environment(name="lab", bases=[base], change=renamed)
    files = prove(kubectl, tmp_path, env)
    assert files == {"kustomization.yaml": files["kustomization.yaml"]}
    k = kustomization(files)
    assert (k["namespace"], k["namePrefix"]) == ("lab", "lab-")


def test_list_order_and_volume_source_switch(kubectl: str, tmp_path: Path) -> None:
    """Reordered containers and env, a volume switched from a claim to emptyDir
    (no $retainKeys: kustomize would copy it into the output)."""
    base = web_base()

    def reorder(objs: Objects) -> None:
        spec = pod(objs)
        spec.containers.reverse()
        env = spec.containers[1].env
        assert env is not None
        env.reverse()
        spec.volumes = [core.Volume(name="data", empty_dir=core.EmptyDirVolumeSource())]

    env = Environment(name="reordered", bases=[base], change=reorder)
    files = prove(kubectl, tmp_path, env)
    assert "$retainKeys" not in "".join(files.values())
    assert "$setElementOrder" not in "".join(files.values())


def test_ports_lists_change_by_json6902(kubectl: str, tmp_path: Path) -> None:
    base = web_base()

    def ports(objs: Objects) -> None:
        pod(objs).containers[0].ports = [
            core.ContainerPort(container_port=8080, name="http"),
            core.ContainerPort(container_port=9090, name="metrics"),
        ]
        service = objs.get(core.Service, "web")
        assert service.spec is not None
        service.spec.ports = [core.ServicePort(name="http", port=8080)]

    env = Environment(name="ports", bases=[base], change=ports)
    files = prove(kubectl, tmp_path, env)
    assert "patches/deployment-web.json6902.yaml" in files
    assert "patches/service-web.json6902.yaml" in files


def test_generated_config_map_hash_reaches_every_reference(kubectl: str, tmp_path: Path) -> None:
    base = web_base()

    def use_settings(objs: Objects) -> None:
        main = pod(objs).containers[0]
        source = core.ConfigMapEnvSource(name="settings")
        main.env_from = [core.EnvFromSource(config_map_ref=source)]

    env = Environment(
        name="generated", bases=[base], change=use_settings,
        config_maps=[ConfigMapGenerator(name="settings", namespace="web",
                                        literals=["LOG_LEVEL=debug"])],
    )
    files = prove(kubectl, tmp_path, env)
    rendered = yamlio.dump_all(env.objects())
    assert "name: settings-" in rendered and "name: settings\n" not in rendered
    assert "name: settings\n" in files["patches/deployment-web.yaml"]  # kustomize adds the hash


def test_secret_values_never_enter_the_tree(kubectl: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="plain text"):
        SecretGenerator(name="db", literals=["password=hunter2"])
    base = web_base()

    def use_secret(objs: Objects) -> None:
        pod(objs).containers[0].env_from = [
            core.EnvFromSource(secret_ref=core.SecretEnvSource(name="db"))
        ]

    secret_file = {"secrets/db.env": "PASSWORD=hunter2\n"}
    env = Environment(
        name="secret", bases=[base], change=use_secret, local_files=secret_file,
        secrets=[SecretGenerator(name="db", namespace="web", envs=["secrets/db.env"])],
    )
    files = prove(kubectl, tmp_path, env, local_files=secret_file)
    written = "".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file()
                      and p.name != "db.env")
    assert "hunter2" not in written and "aHVudGVyMg" not in written
    assert files[".gitignore"].endswith("/secrets/db.env\n")
    assert "#   secrets/db.env\n" in files["kustomization.yaml"]


def test_literal_secret_needs_explicit_opt_in(kubectl: str, tmp_path: Path) -> None:
    env = Environment(
        name="demo", bases=[web_base()],
        secrets=[SecretGenerator(name="demo", namespace="web", literals=["token=not-secret"],
                                 allow_plaintext=True)],
    )
    files = prove(kubectl, tmp_path, env)
    assert "token=not-secret" in files["kustomization.yaml"]


def test_feature_component_shared_by_environments(kubectl: str, tmp_path: Path) -> None:
    base = web_base()

    def backups(objs: Objects) -> None:
        claim = objs.get(core.PersistentVolumeClaim, "data")
        assert claim.metadata is not None
        claim.metadata.labels = {"recurring-job-group.longhorn.io/backup": "enabled"}

    feature = Feature(name="backups", bases=[base], change=backups).component()

    def bigger(objs: Objects) -> None:
        deployment = objs.get(apps.Deployment, "web")
        assert deployment.spec is not None
        deployment.spec.replicas = 2

    envs = [
        Environment(name="staging", bases=[base], components=[feature]),
        Environment(name="production", bases=[base], components=[feature], change=bigger),
    ]
    for env in envs:
        prove(kubectl, tmp_path / env.name, env)
        described = yamlio.dump_all(env.objects())
        assert "recurring-job-group.longhorn.io/backup: enabled" in described
    component = layout_directory(feature)
    assert yamlio.load(component["kustomization.yaml"])["kind"] == "Component"
    assert layout_directory(envs[0].overlay())["kustomization.yaml"].count("patches") == 0


def test_a_wrong_patch_falls_back_loudly(monkeypatch: pytest.MonkeyPatch, kubectl: str,
                                         tmp_path: Path) -> None:
    """The self-check catches a patch that does not give the described object."""

    def wrong(original: Any, desired: Any, info: Any, **options: Any) -> ObjectPatch:
        return ObjectPatch(strategic={"metadata": {"labels": {"wrong": "yes"}}})

    monkeypatch.setattr(planner_module, "object_patch", wrong)

    def change(objs: Objects) -> None:
        pod(objs).containers[0].env = None

    env = Environment(name="fallback", bases=[web_base()], change=change)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = prove(kubectl, tmp_path, env)
    assert any(issubclass(w.category, PlanWarning) for w in caught)
    assert "patches/deployment-web.json6902.yaml" in files
    assert "wrong" not in "".join(files.values())


def test_no_exact_overlay_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(original: Any, desired: Any, info: Any, **options: Any) -> ObjectPatch:
        return ObjectPatch(strategic={"metadata": {"labels": {"wrong": "yes"}}})

    monkeypatch.setattr(planner_module, "object_patch", wrong)
    monkeypatch.setattr(planner_module, "replace_patch", lambda o, d: wrong(o, d, None))

    def change(objs: Objects) -> None:
        pod(objs).containers[0].env = None

    with pytest.raises(PlanError, match="no overlay renders exactly"):
        Environment(name="broken", bases=[web_base()], change=change).overlay()


def test_default_cluster_overlays_are_small_and_copy_no_object() -> None:
    """The default cluster's environments are planned; kubectl equality is
    tests/test_oracle.py's job, here the overlays stay the small part."""
    from kustgen.build import tree
    from kustgen.default import fleet, production, staging

    files = tree(fleet)
    for overlay in (staging.overlay(), production.overlay()):  # the planned ones
        own = {p: t for p, t in files.items() if p.startswith(f"overlays/{overlay.name}/")}
        assert not overlay.objects
        assert all(p.endswith("kustomization.yaml") or "/patches/" in p for p in own)
        lines = sum(t.count("\n") for t in own.values())
        assert lines < 0.3 * render_env(fleet, overlay.name, files=files).count("\n")


def test_change_may_return_the_objects(kubectl: str, tmp_path: Path) -> None:
    def without_service(objs: Objects) -> list[Any]:
        return [obj for obj in objs if not isinstance(obj, core.Service)]

    env = Environment(name="quiet", bases=[web_base()], change=without_service)
    files = prove(kubectl, tmp_path, env)
    assert sorted(files) == ["kustomization.yaml", "patches/service-web.yaml"]

    def twice(objs: Objects) -> list[Any]:
        return [*objs, objs.get(core.Service, "web")]

    with pytest.raises(ConflictError, match="described twice"):
        Environment(name="twice", bases=[web_base()], change=twice).overlay()


def test_assorted_pod_changes(kubectl: str, tmp_path: Path) -> None:
    """Fields with their own merge rules: strategy switch (a union), tolerations
    (replaced whole), initContainers and imagePullSecrets (merged by name),
    probes, node selector, security context, a removed volume mount."""
    base = web_base()

    def assorted(objs: Objects) -> None:
        deployment = objs.get(apps.Deployment, "web")
        assert deployment.spec is not None
        deployment.spec.strategy = apps.DeploymentStrategy(type="Recreate")
        spec = pod(objs)
        spec.node_selector = {"kubernetes.io/arch": "arm64"}
        spec.tolerations = [core.Toleration(key="dedicated", operator="Exists")]
        spec.init_containers = [core.Container(name="init", image="busybox:1.36",
                                               command=["sh", "-c", "true"])]
        spec.image_pull_secrets = [core.LocalObjectReference(name="registry")]
        spec.security_context = core.PodSecurityContext(run_as_non_root=True, fs_group=1000)
        main = spec.containers[0]
        main.volume_mounts = None
        main.readiness_probe = core.Probe(
            http_get=core.HTTPGetAction(path="/healthz", port=80), period_seconds=5
        )

    def rolling(objs: Objects) -> None:
        deployment = objs.get(apps.Deployment, "web")
        assert deployment.spec is not None
        deployment.spec.strategy = apps.DeploymentStrategy(
            type="RollingUpdate",
            rolling_update=apps.RollingUpdateDeployment(max_surge=0, max_unavailable=1),
        )

    rolled = Environment(name="rolling", bases=[base], change=rolling)
    prove(kubectl, tmp_path / "rolling", rolled)
    rolled_base = Base(name="rolled", objects=[*rolled.objects()])
    files = prove(kubectl, tmp_path / "assorted",
                  Environment(name="assorted", bases=[rolled_base], change=assorted))
    patch = files["patches/deployment-web.yaml"]
    assert "rollingUpdate: null" in patch
    assert "$retainKeys" not in patch


def test_an_environment_is_passed_to_a_cluster_as_its_overlay() -> None:
    env = Environment(name="staging", bases=[web_base()])
    with pytest.raises(InputError, match=r"pass env.overlay\(\)"):
        Cluster(name="t", overlays=[env])  # type: ignore[list-item]
    assert Cluster(name="t", overlays=[env.overlay()]).envs() == ["staging"]


def test_a_renamed_object_is_a_patch_and_references_follow(kubectl: str, tmp_path: Path
                                                           ) -> None:
    def rename(follow: bool) -> Any:
        def change(objs: Objects) -> None:
            claim = objs.get(core.PersistentVolumeClaim, "data")
            assert claim.metadata is not None and claim.spec is not None
            claim.metadata.name = "data-v2"
            claim.spec.resources = core.VolumeResourceRequirements(requests={"storage": "2Gi"})
            volumes = pod(objs).volumes
            assert volumes and volumes[0].persistent_volume_claim
            if follow:
                volumes[0].persistent_volume_claim.claim_name = "data-v2"
        return change

    followed = prove(kubectl, tmp_path / "a", Environment(name="a", bases=[web_base()],
                                                          change=rename(True)))
    # The size by the claim's old name, then the rename, inline; the reference
    # follows by itself (kustomize renames references along).
    size, renamed = kustomization(followed)["patches"]
    assert size == {"path": "patches/persistentvolumeclaim-data.yaml"}
    assert "storage: 2Gi" in followed["patches/persistentvolumeclaim-data.yaml"]
    assert renamed == {
        "patch": '[{"op": "replace", "path": "/metadata/name", "value": "data-v2"}]',
        "target": {"kind": "PersistentVolumeClaim", "name": "data"}}
    assert "persistentvolumeclaim-data-v2.yaml" not in followed
    # Keeping the old reference: kustomize's rename would rewrite it, so the
    # planner removes the old claim and adds the new one instead.
    kept = prove(kubectl, tmp_path / "b", Environment(name="b", bases=[web_base()],
                                                      change=rename(False)))
    assert "persistentvolumeclaim-data-v2.yaml" in kept


def test_generator_without_hash(kubectl: str, tmp_path: Path) -> None:
    from kustgen import GeneratorOptions

    def use_settings(objs: Objects) -> None:
        source = core.ConfigMapEnvSource(name="settings")
        pod(objs).containers[0].env_from = [core.EnvFromSource(config_map_ref=source)]

    env = Environment(
        name="plain", bases=[web_base()], change=use_settings,
        config_maps=[ConfigMapGenerator(name="settings", namespace="web", literals=["A=1"])],
        generator_options=GeneratorOptions(disable_name_suffix_hash=True),
    )
    prove(kubectl, tmp_path, env)
    assert "name: settings\n" in yamlio.dump_all(env.objects())


def test_render_verify_and_validate_with_a_secret_file_kept_out_of_git(
    kubectl: str, tmp_path: Path
) -> None:
    """render/verify read the value file from the output root; validate needs none."""
    from kustgen import Cluster, External
    from kustgen.build import input_tree, verify
    from kustgen.validate import validate

    base = web_base()

    def use_secret(objs: Objects) -> None:
        pod(objs).containers[0].env_from = [
            core.EnvFromSource(secret_ref=core.SecretEnvSource(name="db"))
        ]

    env = Environment(
        name="prod", bases=[base], change=use_secret,
        local_files={"secrets/db.env": "PASSWORD=hunter2\n"},
        secrets=[SecretGenerator(name="db", namespace="web", envs=["secrets/db.env"])],
    )
    cluster = Cluster(
        name="c", overlays=[env.overlay()], external=External(namespaces=["web"])
    )
    write(cluster, tmp_path)
    assert not [f for f in validate(cluster) if f.severity == "error"]
    with pytest.raises(InputError, match="create it first") as caught:
        render_env(cluster, "prod", root=tmp_path)
    assert caught.value.obj == str(tmp_path / "overlays/prod/secrets/db.env")

    (tmp_path / "overlays/prod/secrets").mkdir()
    (tmp_path / "overlays/prod/secrets/db.env").write_text("PASSWORD=hunter2\n")
    verify(cluster, tmp_path)  # kubectl's output equals kustgen's rendering
    assert "aHVudGVyMg" in render_env(cluster, "prod", root=tmp_path)
    assert input_tree(cluster)["overlays/prod/secrets/db.env"] == ""
