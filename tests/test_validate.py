"""Schema validation and the field checks schemas miss, on final objects."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from kustgen import Base, Cluster, External, Overlay
from kustgen.validate import SchemaSet, check_objects, syntax, validate
from tests.test_lint import MLB, clean_objects, find, obj

Obj = dict[str, Any]


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet()


def problems(schemas: SchemaSet, *objects: Obj) -> set[tuple[str, str, str]]:
    return {(f.rule, f.obj, f.field) for f in check_objects("prod", objects, schemas)}


def test_default_cluster_validates_clean() -> None:
    from kustgen.default import cluster

    assert validate(cluster) == []


def test_clean_objects_validate_clean(schemas: SchemaSet) -> None:
    assert problems(schemas, *clean_objects()) == set()


def test_one_validator_per_kind_built_once(schemas: SchemaSet) -> None:
    first = schemas.validator("apps/v1", "Deployment")
    assert first is not None and schemas.validator("apps/v1", "Deployment") is first
    assert schemas.validator("metallb.io/v1beta2", "BGPPeer") is not None


def test_schema_errors_of_builtin_and_custom_kinds(schemas: SchemaSet) -> None:
    objects = clean_objects()
    deployment = find(objects, ("Deployment", "web"))
    deployment["spec"]["replicas"] = "two"
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePolicy"] = "Always"
    peer = find(objects, ("BGPPeer", "router"))
    peer["spec"]["myASN"] = "64501"
    assert problems(schemas, deployment, peer) == {
        ("schema", "Deployment/web/web", "spec.replicas"),
        ("schema", "Deployment/web/web", "spec.template.spec.containers[0]"),
        ("schema", "BGPPeer/metallb-system/router", "spec.myASN"),
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"peerASN": 65530, "dynamicASN": "external"},
         "sets 'peerASN' and 'dynamicASN'; give exactly one of 'peerASN' and 'dynamicASN'"),
        ({}, "sets none of 'peerASN' and 'dynamicASN'; exactly one of them is required"),
    ],
)
def test_one_of_failures_name_the_conflicting_fields(
    schemas: SchemaSet, spec: dict[str, Any], message: str
) -> None:
    peer = find(clean_objects(), ("BGPPeer", "router"))
    peer["spec"] = {"myASN": 64501, "peerAddress": "10.0.0.1", **spec}
    (found,) = check_objects("prod", [peer], schemas)
    assert (found.field, found.message) == ("spec", message)


def test_a_long_value_is_not_repeated_before_the_reason(schemas: SchemaSet) -> None:
    deployment = find(clean_objects(), ("Deployment", "web"))
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "limits": [{"cpu": "1"} for _ in range(20)]}
    (found,) = check_objects("prod", [deployment], schemas)
    assert found.message == "the list is not of type 'object', 'null'"


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: clusterissuers.cert-manager.io}
spec:
  group: cert-manager.io
  names: {kind: ClusterIssuer, plural: clusterissuers}
  scope: Cluster
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              acme:
                type: object
                properties:
                  email: {type: string}
"""


def test_unknown_kinds_are_reported_and_crd_files_give_them_a_schema(
    schemas: SchemaSet, tmp_path: Path
) -> None:
    issuer = obj("cert-manager.io/v1", "ClusterIssuer", "le", spec={"acme": {"email": 3}})
    assert problems(schemas, issuer) == {("schema-unknown", "ClusterIssuer/le", "kind")}
    crd = tmp_path / "issuer.yaml"
    crd.write_text(CRD)
    with_crd = SchemaSet([crd])
    assert problems(with_crd, issuer) == {("schema", "ClusterIssuer/le", "spec.acme.email")}
    issuer["spec"]["acme"]["email"] = "ops@example.com"
    assert problems(with_crd, issuer) == set()


def _changed(key: tuple[str, str], path: str, value: Any) -> Obj:
    target = copy.deepcopy(find(clean_objects(), key))
    node = target
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[last] = value
    return target


C0 = "spec.template.spec.containers.0"
FIELD_CASES = {
    "externalTrafficPolicy": (
        _changed(("Service", "web-lb"), "spec.externalTrafficPolicy", "Locale"),
        ("field-value", "Service/web/web-lb", "spec.externalTrafficPolicy"),
    ),
    "imagePullPolicy": (
        _changed(("Deployment", "web"), f"{C0}.imagePullPolicy", "always"),
        ("field-value", "Deployment/web/web", "spec.template.spec.containers[0].imagePullPolicy"),
    ),
    "restartPolicy of a Deployment": (
        _changed(("Deployment", "web"), "spec.template.spec.restartPolicy", "Never"),
        ("field-value", "Deployment/web/web", "spec.template.spec.restartPolicy"),
    ),
    "quantity": (
        _changed(("Deployment", "web"), f"{C0}.resources.requests.memory", "64MB"),
        (
            "quantity",
            "Deployment/web/web",
            "spec.template.spec.containers[0].resources.requests.memory",
        ),
    ),
    "claim size": (
        _changed(("PersistentVolumeClaim", "data"), "spec.resources.requests.storage", "1 Gi"),
        ("quantity", "PersistentVolumeClaim/web/data", "spec.resources.requests.storage"),
    ),
    "object name": (
        _changed(("Deployment", "web"), "metadata.name", "Web_App"),
        ("name-syntax", "Deployment/web/Web_App", "metadata.name"),
    ),
    "Service name starting with a digit": (
        _changed(("Service", "web"), "metadata.name", "1web"),
        ("name-syntax", "Service/web/1web", "metadata.name"),
    ),
    "label value": (
        _changed(("Deployment", "web"), "metadata.labels", {"tier": "front end"}),
        ("label-syntax", "Deployment/web/web", "metadata.labels.tier"),
    ),
    "label key": (
        _changed(("Service", "web"), "metadata.labels", {"Example.com/tier": "web"}),
        ("label-syntax", "Service/web/web", "metadata.labels.Example.com/tier"),
    ),
    "container port": (
        _changed(("Deployment", "web"), f"{C0}.ports", [{"name": "http", "containerPort": 70000}]),
        (
            "port-range",
            "Deployment/web/web",
            "spec.template.spec.containers[0].ports[0].containerPort",
        ),
    ),
    "service port": (
        _changed(("Service", "web"), "spec.ports", [{"port": 0, "targetPort": "http"}]),
        ("port-range", "Service/web/web", "spec.ports[0].port"),
    ),
    "recurring job cron": (
        obj(
            "longhorn.io/v1beta2",
            "RecurringJob",
            "nightly",
            "longhorn-system",
            spec={"cron": "0 25 * * *", "task": "snapshot", "retain": 1, "concurrency": 1},
        ),
        ("cron", "RecurringJob/longhorn-system/nightly", "spec.cron"),
    ),
    "BGP hold time without unit": (
        _changed(("BGPPeer", "router"), "spec.holdTime", "90"),
        ("duration", "BGPPeer/metallb-system/router", "spec.holdTime"),
    ),
    "BGP keepalive above hold time": (
        _changed(
            ("BGPPeer", "router"),
            "spec",
            {
                "myASN": 1,
                "peerASN": 2,
                "peerAddress": "10.0.0.1",
                "holdTime": "9s",
                "keepaliveTime": "1m",
            },
        ),
        ("duration", "BGPPeer/metallb-system/router", "spec.keepaliveTime"),
    ),
}


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
def test_field_checks_schemas_miss(schemas: SchemaSet, case: str) -> None:
    bad, expected = FIELD_CASES[case]
    assert problems(schemas, bad) == {expected}


def _builtin(api_version: str) -> bool:
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith("k8s.io")


# kubernetes-validate has no schema for custom resources: only built-in cases apply.
BUILTIN_FIELD_CASES = sorted(
    c for c, (bad, _) in FIELD_CASES.items() if _builtin(bad["apiVersion"])
)


@pytest.mark.parametrize("case", BUILTIN_FIELD_CASES)
def test_kubernetes_validate_misses_the_field_checks(case: str) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    bad, _ = FIELD_CASES[case]
    kubernetes_validate.validate(bad, "1.32.0", strict=True)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("0 3 * * 0", True),
        ("*/15 * * * *", True),
        ("0 2 * * MON-FRI", True),
        ("@daily", True),
        ("@every 1h30m", True),
        ("CRON_TZ=UTC 0 3 * * *", True),
        ("0 3 * *", False),
        ("60 * * * *", False),
        ("0 3 32 * *", False),
        ("*/0 * * * *", False),
        ("0 3 * JANUARY *", False),
        # robfig/cron v3 (Kubernetes CronJobs, Longhorn): day of week is 0..6, 7 is refused.
        ("0 3 * * 7", False),
        ("0 3 * * 5-7", False),
        ("0 3 * * sun", True),
        ("0 3 * jan-MAR 1", True),
        # ... and its other readings: empty list items are dropped, "*-5" is "*",
        # "N/step" runs to the maximum, Atoi takes a sign.
        ("1,,2 * * * *", True),
        ("*-5 * * * *", True),
        ("5/10 * * * *", True),
        ("+5 * * * *", True),
        ("1-2-3 * * * *", False),
        ("@bogus", False),
        ("TZ=UTC", False),
    ],
)
def test_cron(text: str, ok: bool) -> None:
    assert (syntax.cron(text) is None) == ok


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90.0), ("1m30s", 90.0), ("0", 0.0), ("1.5h", 5400.0), ("90", None), ("1d", None)],
)
def test_duration(text: str, seconds: float | None) -> None:
    assert syntax.duration_seconds(text) == seconds


def test_validate_sees_overlay_effects_and_lint_together() -> None:
    objects = clean_objects()
    find(objects, ("Deployment", "web"))["spec"]["template"]["spec"]["containers"][0][
        "resources"
    ] = {"requests": {"cpu": "lots"}}
    cluster = Cluster(
        name="home",
        external=External(namespaces=[MLB, "longhorn-system"]),
        nodes=3,
        overlays=[
            Overlay(name="prod", bases=[Base(name="all", objects=objects)], name_suffix="-X")
        ],
    )
    found = {(f.rule, f.obj, f.field) for f in validate(cluster)}
    assert ("name-syntax", "Deployment/web/web-X", "metadata.name") in found
    assert (
        "quantity",
        "Deployment/web/web-X",
        "spec.template.spec.containers[0].resources.requests.cpu",
    ) in found
    assert (
        "cr-ref-broken",
        "Setting/longhorn-system/default-replica-count-X",
        "metadata.name",
    ) in found
    assert {f.rule for f in validate(cluster, lint=False)} == {"name-syntax", "quantity"}


def test_without_kubernetes_validate_builtin_kinds_are_reported_unchecked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kustgen.validate import schemas as module

    def missing(package: str) -> None:
        raise ModuleNotFoundError(package)

    monkeypatch.setattr(module.resources, "files", missing)
    objects = clean_objects()
    find(objects, ("BGPPeer", "router"))["spec"]["myASN"] = "1"
    found = check_objects("prod", objects, SchemaSet())
    assert [(f.rule, f.severity, f.field) for f in found] == [
        ("schema", "error", "spec.myASN"),
        ("schema-unavailable", "warning", ""),
    ]
    assert found[1].message.startswith("6 object(s) of built-in kinds not checked")


def test_a_string_where_a_list_belongs_is_one_schema_finding(schemas: SchemaSet) -> None:
    claim = copy.deepcopy(find(clean_objects(), ("PersistentVolumeClaim", "data")))
    claim["spec"]["accessModes"] = "ReadWriteOnce"
    found = check_objects("prod", [claim], schemas)
    assert [(f.rule, f.field) for f in found] == [("schema", "spec.accessModes")]
