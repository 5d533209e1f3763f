"""The typed model runtime: construction, to_dict/from_dict, dataclass behaviour, merge info."""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any

import pytest

from kustgen.errors import InputError
from kustgen.k8s import apps_v1, core_v1, meta_v1, networking_v1
from kustgen.model import (
    ListMergeInfo,
    Resource,
    from_dict,
    list_merge_info,
    lookup_class,
    model_fields,
    replace,
    to_dict,
)


def minecraft() -> apps_v1.Deployment:
    return apps_v1.Deployment(
        metadata=meta_v1.ObjectMeta(name="minecraft", namespace="games", labels={"app": "mc"}),
        spec=apps_v1.DeploymentSpec(
            replicas=1,
            selector=meta_v1.LabelSelector(match_labels={"app": "mc"}),
            template=core_v1.PodTemplateSpec(
                metadata=meta_v1.ObjectMeta(labels={"app": "mc"}),
                spec=core_v1.PodSpec(
                    containers=[
                        core_v1.Container(
                            name="mc",
                            image="itzg/minecraft-server:2024.10.0",
                            image_pull_policy="IfNotPresent",
                            ports=[core_v1.ContainerPort(container_port=25565, name="game")],
                            env=[core_v1.EnvVar(name="EULA", value="TRUE")],
                            resources=core_v1.ResourceRequirements(
                                requests={"cpu": "500m", "memory": "2Gi"},
                                limits={"cpu": 2, "memory": 4.5},
                            ),
                        )
                    ],
                    volumes=[],
                ),
            ),
        ),
    )


EXPECTED: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "minecraft", "namespace": "games", "labels": {"app": "mc"}},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "mc"}},
        "template": {
            "metadata": {"labels": {"app": "mc"}},
            "spec": {
                "containers": [
                    {
                        "name": "mc",
                        "image": "itzg/minecraft-server:2024.10.0",
                        "imagePullPolicy": "IfNotPresent",
                        "ports": [{"containerPort": 25565, "name": "game"}],
                        "env": [{"name": "EULA", "value": "TRUE"}],
                        "resources": {
                            "requests": {"cpu": "500m", "memory": "2Gi"},
                            "limits": {"cpu": 2, "memory": 4.5},
                        },
                    }
                ],
                "volumes": [],
            },
        },
    },
}


def test_to_dict_writes_wire_names_and_every_set_value() -> None:
    out = to_dict(minecraft())
    assert out == EXPECTED
    assert list(out)[:2] == ["apiVersion", "kind"]
    assert out["spec"]["replicas"] == 1  # equal to the server default, still written
    assert out["spec"]["template"]["spec"]["volumes"] == []  # empty list the user set stays


def test_api_version_and_kind_come_from_the_class() -> None:
    assert apps_v1.Deployment.api_version == "apps/v1"
    assert apps_v1.Deployment.kind == "Deployment"
    assert core_v1.Service.api_version == "v1"
    assert issubclass(core_v1.PersistentVolumeClaim, Resource)
    with pytest.raises(TypeError):
        apps_v1.Deployment(kind="Deployment")  # type: ignore[call-arg]


def test_unknown_keyword_and_missing_required_are_type_errors() -> None:
    with pytest.raises(TypeError, match="imagePullPolicy"):
        core_v1.Container(name="x", imagePullPolicy="Always")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="name"):
        core_v1.Container()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        core_v1.Container("x")  # type: ignore[misc]


def test_round_trip() -> None:
    obj = from_dict(EXPECTED)
    assert isinstance(obj, apps_v1.Deployment)
    assert obj == minecraft()
    assert to_dict(obj) == EXPECTED


def test_from_dict_wrong_type_names_object_and_full_path() -> None:
    data = copy.deepcopy(EXPECTED)
    data["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = 3
    with pytest.raises(InputError) as info:
        from_dict(data)
    assert str(info.value) == (
        "Deployment/minecraft: spec.template.spec.containers[0].imagePullPolicy: "
        "expected a string, got int 3"
    )


def test_from_dict_unknown_field() -> None:
    data = copy.deepcopy(EXPECTED)
    data["spec"]["template"]["spec"]["containers"][0]["imagePulPolicy"] = "Always"
    with pytest.raises(InputError) as info:
        from_dict(data)
    message = str(info.value)
    assert message.startswith(
        "Deployment/minecraft: spec.template.spec.containers[0].imagePulPolicy: unknown field"
    )
    assert "imagePullPolicy" in message  # suggestion


def test_from_dict_missing_required_and_unknown_kind() -> None:
    data = copy.deepcopy(EXPECTED)
    del data["spec"]["template"]["spec"]["containers"][0]["name"]
    with pytest.raises(InputError, match=r"containers\[0\]\.name: required field is missing"):
        from_dict(data)
    with pytest.raises(
        InputError, match=re.escape("unknown apiVersion/kind example.com/v1/Widget")
    ):
        from_dict({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    with pytest.raises(InputError, match="kind"):
        from_dict({"apiVersion": "v1"})


def test_bool_is_not_an_int_and_int_is_a_float() -> None:
    with pytest.raises(InputError, match=r"Deployment/minecraft: spec.replicas: .*bool True"):
        to_dict(replace(minecraft(), spec=replace(minecraft().spec, replicas=True)))  # type: ignore[arg-type]
    with pytest.raises(InputError, match=re.escape("spec.replicas: expected an integer, got bool")):
        from_dict({**EXPECTED, "spec": {**EXPECTED["spec"], "replicas": False}})
    # JSONSchemaProps.maximum is a float: an int is accepted and kept as int
    props = from_dict({"type": "integer", "maximum": 10}, cls=_schema_props())
    assert to_dict(props) == {"type": "integer", "maximum": 10}


def _schema_props() -> Any:
    from kustgen.k8s import apiextensions_v1

    return apiextensions_v1.JSONSchemaProps


def test_nested_model_of_wrong_class_is_an_error() -> None:
    dep = minecraft()
    assert dep.spec is not None
    dep.spec.template.metadata = meta_v1.LabelSelector()  # type: ignore[assignment]
    with pytest.raises(InputError) as info:
        to_dict(dep)
    assert str(info.value) == (
        "Deployment/minecraft: spec.template.metadata: expected ObjectMeta, got LabelSelector"
    )
    dep.spec.template.metadata = {"labels": {}}  # type: ignore[assignment]
    with pytest.raises(
        InputError, match=re.escape("spec.template.metadata: expected ObjectMeta, got dict")
    ):
        to_dict(dep)


def test_quantity_and_int_or_string_accept_both_forms() -> None:
    res = core_v1.ResourceRequirements(limits={"cpu": 1, "memory": "1Gi"}, requests={"cpu": 0.5})
    assert to_dict(res) == {"limits": {"cpu": 1, "memory": "1Gi"}, "requests": {"cpu": 0.5}}
    for port in (8080, "http"):
        svc_port = core_v1.ServicePort(port=80, target_port=port)
        assert to_dict(svc_port) == {"port": 80, "targetPort": port}
        assert from_dict(to_dict(svc_port), cls=core_v1.ServicePort) == svc_port
    with pytest.raises(InputError, match="targetPort: expected an integer or a string, got float"):
        from_dict({"port": 80, "targetPort": 1.5}, cls=core_v1.ServicePort)
    with pytest.raises(InputError, match=re.escape("limits.cpu: expected a quantity")):
        to_dict(core_v1.ResourceRequirements(limits={"cpu": True}))


def test_keyword_named_fields() -> None:
    peer = networking_v1.NetworkPolicyIngressRule(
        from_=[
            networking_v1.NetworkPolicyPeer(
                ip_block=networking_v1.IPBlock(cidr="10.0.0.0/8", except_=["10.1.0.0/16"])
            )
        ]
    )
    wire = {"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}
    assert to_dict(peer) == wire
    assert from_dict(wire, cls=networking_v1.NetworkPolicyIngressRule) == peer
    assert meta_v1.ListMeta(continue_="tok").continue_ == "tok"
    names = {f.wire_name: f.name for f in model_fields(_schema_props())}
    assert names["$ref"] == "ref"
    assert names["$schema"] == "schema"
    assert names["x-kubernetes-list-type"] == "x_kubernetes_list_type"
    assert names["not"] == "not_"


def test_dataclass_compatibility() -> None:
    c = core_v1.Container(name="a", image="nginx")
    assert dataclasses.is_dataclass(c)
    assert dataclasses.is_dataclass(core_v1.Container)
    fields = {f.name: f for f in dataclasses.fields(c)}
    assert fields["image_pull_policy"].metadata["wire_name"] == "imagePullPolicy"
    assert fields["name"].default is dataclasses.MISSING
    assert fields["image"].default is None
    changed = dataclasses.replace(c, image="nginx:1.27")
    assert changed.image == "nginx:1.27" and changed.name == "a" and c.image == "nginx"
    assert replace(c, name="b") == core_v1.Container(name="b", image="nginx")
    with pytest.raises(TypeError):
        replace(c, nope=1)
    assert dataclasses.asdict(c)["image"] == "nginx"


def test_eq_repr_deepcopy() -> None:
    dep = minecraft()
    clone = copy.deepcopy(dep)
    assert clone == dep and clone is not dep
    assert clone.spec is not dep.spec
    assert dep != replace(dep, metadata=meta_v1.ObjectMeta(name="other"))
    assert repr(core_v1.Container(name="a")) == "Container(name='a')"
    assert core_v1.Container(name="a") != "Container(name='a')"


def test_lookup_class() -> None:
    assert lookup_class("apps/v1", "Deployment") is apps_v1.Deployment
    assert lookup_class("storage.k8s.io/v1", "StorageClass").__name__ == "StorageClass"  # type: ignore[union-attr]
    assert lookup_class("apps/v1", "Nope") is None
    assert lookup_class("apps/v1", "Deployment", types=(core_v1,)) is apps_v1.Deployment


@pytest.mark.parametrize(
    ("api_version", "kind", "path", "expected"),
    [
        (
            "apps/v1",
            "Deployment",
            ("spec", "template", "spec", "containers"),
            ListMergeInfo("merge", "name", "map", ("name",)),
        ),
        (
            "apps/v1",
            "Deployment",
            ("spec", "template", "spec", "containers", "ports"),
            ListMergeInfo("merge", "containerPort", "map", ("containerPort", "protocol")),
        ),
        (
            "apps/v1",
            "Deployment",
            ("spec", "template", "spec", "containers", "env"),
            ListMergeInfo("merge", "name", "map", ("name",)),
        ),
        (
            "apps/v1",
            "Deployment",
            ("spec", "template", "spec", "volumes"),
            ListMergeInfo("merge,retainKeys", "name", "map", ("name",)),
        ),
        (
            "apps/v1",
            "StatefulSet",
            ("spec", "template", "spec", "initContainers"),
            ListMergeInfo("merge", "name", "map", ("name",)),
        ),
        (
            "v1",
            "Service",
            ("spec", "ports"),
            ListMergeInfo("merge", "port", "map", ("port", "protocol")),
        ),
        (
            "apps/v1",
            "Deployment",
            ("spec", "template", "spec", "containers", "args"),
            ListMergeInfo(list_type="atomic"),
        ),
        ("apps/v1", "Deployment", ("spec", "nope"), None),
        ("apps/v1", "Nope", ("spec",), None),
    ],
)
def test_list_merge_info(
    api_version: str, kind: str, path: tuple[str, ...], expected: ListMergeInfo | None
) -> None:
    assert list_merge_info(api_version, kind, path) == expected
    assert list_merge_info(api_version, kind, path) == expected  # cached answer is the same


def test_list_merge_info_is_frozen() -> None:
    info = list_merge_info("v1", "Service", ("spec", "ports"))
    assert info is not None
    with pytest.raises(AttributeError):
        info.merge_key = "x"  # type: ignore[misc]
