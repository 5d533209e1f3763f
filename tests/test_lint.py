"""Each lint rule firing on one planted mistake and staying quiet on the clean cluster.

The clean cluster below is a small bare-metal setup written with plain dicts on
the public API; every test changes one thing and expects exactly the findings
that mistake causes (rule, object, field), nothing else.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from kustgen import Base, Cluster, External, Overlay
from kustgen.lint import RULES, lint
from kustgen.validate.findings import Finding

Obj = dict[str, Any]
MLB = "metallb-system"


def obj(api: str, kind: str, name: str, namespace: str | None = None, **body: Any) -> Obj:
    meta: Obj = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta.update(body.pop("metadata", {}))
    return {"apiVersion": api, "kind": kind, "metadata": meta, **body}


def clean_objects() -> list[Obj]:
    labels = {"app": "web"}
    container = {
        "name": "web",
        "image": "nginx:1.27",
        "ports": [{"name": "http", "containerPort": 80}],
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
    }
    pod = {
        "metadata": {"labels": labels},
        "spec": {
            "containers": [container],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}],
        },
    }
    return [
        obj("v1", "Namespace", "web"),
        obj(
            "apps/v1",
            "Deployment",
            "web",
            "web",
            spec={"selector": {"matchLabels": labels}, "template": pod},
        ),
        obj(
            "v1",
            "Service",
            "web",
            "web",
            spec={"selector": labels, "ports": [{"port": 80, "targetPort": "http"}]},
        ),
        obj(
            "v1",
            "Service",
            "web-lb",
            "web",
            metadata={"annotations": {"metallb.io/address-pool": "main"}},
            spec={
                "type": "LoadBalancer",
                "selector": labels,
                "ports": [{"port": 80, "targetPort": 80}],
            },
        ),
        obj(
            "v1",
            "PersistentVolumeClaim",
            "data",
            "web",
            spec={
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "replicated",
                "resources": {"requests": {"storage": "1Gi"}},
            },
        ),
        obj(
            "storage.k8s.io/v1",
            "StorageClass",
            "replicated",
            provisioner="driver.longhorn.io",
            parameters={"numberOfReplicas": "2"},
        ),
        obj(
            "longhorn.io/v1beta2", "Setting", "default-replica-count", "longhorn-system", value="2"
        ),
        obj(
            "metallb.io/v1beta1", "IPAddressPool", "main", MLB, spec={"addresses": ["10.0.0.0/24"]}
        ),
        obj("metallb.io/v1beta1", "IPAddressPool", "v6", MLB, spec={"addresses": ["fd00::/120"]}),
        obj(
            "metallb.io/v1beta2",
            "BGPPeer",
            "router",
            MLB,
            spec={"myASN": 64501, "peerASN": 65530, "peerAddress": "10.0.0.1"},
        ),
        obj(
            "metallb.io/v1beta1",
            "BGPAdvertisement",
            "main",
            MLB,
            spec={"ipAddressPools": ["main", "v6"], "peers": ["router"]},
        ),
    ]


def find(objects: list[Obj], key: tuple[str, str]) -> Obj:
    return next(o for o in objects if (o["kind"], o["metadata"]["name"]) == key)


def run(
    change: Callable[[list[Obj]], None] | None = None,
    *,
    overlay: dict[str, Any] | None = None,
    **cluster: Any,
) -> set[tuple[str, str, str]]:
    objects = clean_objects()
    if change:
        change(objects)
    cluster.setdefault("external", External(namespaces=[MLB, "longhorn-system"]))
    cluster.setdefault("nodes", 3)
    c = Cluster(
        name="home",
        overlays=[
            Overlay(name="prod", bases=[Base(name="all", objects=objects)], **(overlay or {}))
        ],
        **cluster,
    )
    return {(f.rule, f.obj, f.field) for f in lint(c)}


def test_clean_cluster_has_no_findings() -> None:
    assert run() == set()


def test_every_rule_has_an_id_severity_and_summary() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.severity in ("error", "warning") and rule.summary


def _set(key: tuple[str, str], path: str, value: Any) -> Callable[[list[Obj]], None]:
    def change(objects: list[Obj]) -> None:
        node = find(objects, key)
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    return change


def _add(*new: Obj) -> Callable[[list[Obj]], None]:
    return lambda objects: objects.extend(copy.deepcopy(new))


def _remove(*keys: tuple[str, str]) -> Callable[[list[Obj]], None]:
    def change(objects: list[Obj]) -> None:
        objects[:] = [o for o in objects if (o["kind"], o["metadata"]["name"]) not in keys]

    return change


def _both(*changes: Callable[[list[Obj]], None]) -> Callable[[list[Obj]], None]:
    def change(objects: list[Obj]) -> None:
        for c in changes:
            c(objects)

    return change


LB = "Service/web/web-lb"
POOL_NOTE = "metadata.annotations.metallb.io/address-pool"
UNANNOTATED = ("Service", "web-lb"), "metadata.annotations", {}

CASES: dict[str, tuple[Callable[[list[Obj]], None], set[tuple[str, str, str]]]] = {
    "no pools at all": (
        _remove(("IPAddressPool", "main"), ("IPAddressPool", "v6"), ("BGPAdvertisement", "main")),
        {("lb-no-pool", LB, "spec.type")},
    ),
    "only autoAssign false pools and no annotation": (
        _both(
            _set(*UNANNOTATED),
            _set(("IPAddressPool", "main"), "spec.autoAssign", False),
            _set(("IPAddressPool", "v6"), "spec.autoAssign", False),
        ),
        {("lb-no-pool", LB, "spec.type")},
    ),
    "annotation names an unknown pool": (
        _set(("Service", "web-lb"), "metadata.annotations", {"metallb.io/address-pool": "gone"}),
        {("lb-no-pool", LB, POOL_NOTE)},
    ),
    "wrong IP family": (
        _set(("Service", "web-lb"), "spec.ipFamilies", ["IPv6"]),
        {("lb-no-pool", LB, POOL_NOTE)},
    ),
    "requested address in no pool": (
        _set(
            ("Service", "web-lb"),
            "metadata.annotations",
            {"metallb.io/loadBalancerIPs": "10.9.9.9"},
        ),
        {("lb-no-pool", LB, "metadata.annotations.metallb.io/loadBalancerIPs")},
    ),
    "pool no advertisement announces": (
        _set(("BGPAdvertisement", "main"), "spec.ipAddressPools", ["v6"]),
        {("lb-not-announced", LB, POOL_NOTE)},
    ),
    "BGP advertisement without any peer": (
        _both(_remove(("BGPPeer", "router")), _set(("BGPAdvertisement", "main"), "spec.peers", [])),
        {("lb-not-announced", LB, POOL_NOTE)},
    ),
    "overlapping pools": (
        _add(
            obj(
                "metallb.io/v1beta1",
                "IPAddressPool",
                "more",
                MLB,
                spec={"addresses": ["10.0.0.128-10.0.0.140"]},
            )
        ),
        {("metallb-pool-overlap", "IPAddressPool/metallb-system/more", "spec.addresses[0]")},
    ),
    "pool CIDR with host bits (MetalLB takes the whole network)": (
        _set(("IPAddressPool", "main"), "spec.addresses", ["10.0.0.1/24"]),
        {("metallb-host-bits", "IPAddressPool/metallb-system/main", "spec.addresses[0]")},
    ),
    "unparsable pool address": (
        _set(("IPAddressPool", "v6"), "spec.addresses", ["fd00::/120", "10.0.1.9-10.0.1.1"]),
        {("metallb-address", "IPAddressPool/metallb-system/v6", "spec.addresses[1]")},
    ),
    "advertisement naming an unknown pool": (
        _set(("BGPAdvertisement", "main"), "spec.ipAddressPools", ["main", "v6", "old"]),
        {("metallb-unknown-ref", "BGPAdvertisement/metallb-system/main", "spec.ipAddressPools[2]")},
    ),
    "advertisement naming an unknown peer": (
        _set(("BGPAdvertisement", "main"), "spec.peers", ["router", "ghost"]),
        {("metallb-unknown-ref", "BGPAdvertisement/metallb-system/main", "spec.peers[1]")},
    ),
    "claim of an undefined class": (
        _set(("PersistentVolumeClaim", "data"), "spec.storageClassName", "fast"),
        {("pvc-storage-class", "PersistentVolumeClaim/web/data", "spec.storageClassName")},
    ),
    "ReadWriteMany block volume on a non-migratable Longhorn class": (
        _both(
            _set(("PersistentVolumeClaim", "data"), "spec.accessModes", ["ReadWriteMany"]),
            _set(("PersistentVolumeClaim", "data"), "spec.volumeMode", "Block"),
        ),
        {("pvc-rwx", "PersistentVolumeClaim/web/data", "spec.accessModes[0]")},
    ),
    "Longhorn replicas above the node count": (
        _set(("StorageClass", "replicated"), "parameters", {"numberOfReplicas": "4"}),
        {("longhorn-replicas", "StorageClass/replicated", "parameters.numberOfReplicas")},
    ),
    "default replica count above the node count": (
        _set(("Setting", "default-replica-count"), "value", '{"v1":"5","v2":"2"}'),
        {("longhorn-replicas", "Setting/longhorn-system/default-replica-count", "value")},
    ),
    "selector matching no pod": (
        _set(("Service", "web"), "spec.selector", {"app": "webb"}),
        {("service-selector", "Service/web/web", "spec.selector")},
    ),
    "targetPort naming no container port": (
        _set(("Service", "web"), "spec.ports", [{"port": 80, "targetPort": "htp"}]),
        {("service-target-port", "Service/web/web", "spec.ports[0].targetPort")},
    ),
    "object in an undeclared namespace": (
        _add(obj("v1", "ConfigMap", "settings", "ghost", data={"a": "b"})),
        {("namespace-unknown", "ConfigMap/ghost/settings", "metadata.namespace")},
    ),
    "image without a tag": (
        _set(
            ("Deployment", "web"),
            "spec.template.spec.containers",
            [
                {
                    **clean_objects()[1]["spec"]["template"]["spec"]["containers"][0],
                    "image": "registry.local:5000/nginx",
                }
            ],
        ),
        {("image-tag", "Deployment/web/web", "spec.template.spec.containers[0].image")},
    ),
    "container without requests": (
        _set(
            ("Deployment", "web"),
            "spec.template.spec.containers",
            [
                {
                    "name": "web",
                    "image": "nginx:1.27",
                    "ports": [{"name": "http", "containerPort": 80}],
                }
            ],
        ),
        {
            (
                "container-requests",
                "Deployment/web/web",
                "spec.template.spec.containers[0].resources.requests",
            )
        },
    ),
    "Secret with plaintext data": (
        _add(obj("v1", "Secret", "creds", "web", stringData={"password": "hunter2"})),
        {("secret-plaintext", "Secret/web/creds", "stringData")},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_mistake_one_finding(case: str) -> None:
    change, expected = CASES[case]
    assert run(change) == expected


def test_latest_tag_warns_and_digest_does_not() -> None:
    def image(value: str) -> Callable[[list[Obj]], None]:
        def change(objects: list[Obj]) -> None:
            find(objects, ("Deployment", "web"))["spec"]["template"]["spec"]["containers"][0][
                "image"
            ] = value

        return change

    assert run(image("nginx:latest")) == {
        ("image-tag", "Deployment/web/web", "spec.template.spec.containers[0].image")
    }
    assert run(image("nginx@sha256:" + "0" * 64)) == set()
    assert run(image("registry.local:5000/nginx:1.27")) == set()


def test_declarations_silence_storage_and_namespace_rules() -> None:
    fast = _set(("PersistentVolumeClaim", "data"), "spec.storageClassName", "fast")
    assert (
        run(fast, external=External(storage_classes=["fast"], namespaces=[MLB, "longhorn-system"]))
        == set()
    )
    rwx = _both(
        fast, _set(("PersistentVolumeClaim", "data"), "spec.accessModes", ["ReadWriteMany"])
    )
    ns = [MLB, "longhorn-system"]
    assert run(
        rwx, external=External(storage_classes={"fast": ["ReadWriteOnce"]}, namespaces=ns)
    ) == {("pvc-rwx", "PersistentVolumeClaim/web/data", "spec.accessModes[0]")}
    assert (
        run(rwx, external=External(storage_classes={"fast": ["ReadWriteMany"]}, namespaces=ns))
        == set()
    )
    local = _both(
        rwx, _set(("PersistentVolumeClaim", "data"), "spec.storageClassName", "local-path")
    )
    assert run(local, external=External(storage_classes=["local-path"], namespaces=ns)) == {
        ("pvc-rwx", "PersistentVolumeClaim/web/data", "spec.accessModes[0]")
    }
    assert run(external=External()) == {
        ("namespace-unknown", ref, "metadata.namespace")
        for ref in (
            "BGPAdvertisement/metallb-system/main",
            "BGPPeer/metallb-system/router",
            "IPAddressPool/metallb-system/main",
            "IPAddressPool/metallb-system/v6",
            "Setting/longhorn-system/default-replica-count",
        )
    }


def test_filesystem_rwx_on_longhorn_and_unknown_node_count_are_fine() -> None:
    rwx = _set(("PersistentVolumeClaim", "data"), "spec.accessModes", ["ReadWriteMany"])
    assert run(rwx) == set()
    many = _set(("StorageClass", "replicated"), "parameters", {"numberOfReplicas": "9"})
    assert run(many, nodes=None) == set()


def test_auto_assignment_serves_an_unannotated_service() -> None:
    assert run(_set(*UNANNOTATED)) == set()
    v6_only = _both(_set(*UNANNOTATED), _set(("Service", "web-lb"), "spec.ipFamilies", ["IPv6"]))
    assert run(v6_only) == set()
    main_manual = _both(v6_only, _set(("IPAddressPool", "v6"), "spec.autoAssign", False))
    assert run(main_manual) == {("lb-no-pool", LB, "spec.ipFamilies")}


def test_name_prefix_on_custom_resources_among_the_applications() -> None:
    """One base mixing workloads with MetalLB and Longhorn objects is all in the
    applications layer, so the prefix renames them too: the advertisement's pool
    and peer names follow (kustgen writes ``configurations:`` for them); what
    cannot follow is reported: Longhorn finds Settings by name, and kustomize
    never rewrites a reference across namespaces (the Service's pool annotation)."""
    found = run(overlay={"name_prefix": "lab-"})
    assert found == {
        ("cr-ref-broken", "Setting/longhorn-system/lab-default-replica-count", "metadata.name"),
        ("lb-no-pool", "Service/web/lab-web-lb", POOL_NOTE),
    }


def test_name_prefix_leaves_the_config_layer_alone() -> None:
    """Split in bases, the MetalLB and Longhorn objects are configuration: the
    environment's prefix and namespace reach only its applications."""
    objects = clean_objects()
    infra = [o for o in objects if o["apiVersion"].startswith(("metallb.io", "longhorn.io"))]
    apps = [o for o in objects if o not in infra]
    cluster = Cluster(
        name="home", nodes=3, external=External(namespaces=[MLB, "longhorn-system"]),
        overlays=[Overlay(name="prod", bases=[Base(name="infra", objects=infra),
                                             Base(name="apps", objects=apps)],
                          name_prefix="lab-")],
    )
    assert {(f.rule, f.obj, f.field) for f in lint(cluster)} == set()


def test_namespace_change_moves_custom_resources_out_of_their_namespace() -> None:
    found = run(overlay={"namespace": "prod"})
    assert found == {
        ("cr-ref-broken", f"{kind}/prod/{name}", "metadata.namespace")
        for kind, name in (
            ("BGPAdvertisement", "main"),
            ("BGPPeer", "router"),
            ("IPAddressPool", "main"),
            ("IPAddressPool", "v6"),
            ("Setting", "default-replica-count"),
        )
    }


def test_duplicate_id_across_bases_is_reported_and_the_rest_still_linted() -> None:
    cm = obj("v1", "ConfigMap", "shared", "web", data={"a": "b"})
    objects = clean_objects()
    cluster = Cluster(
        name="home",
        external=External(namespaces=[MLB, "longhorn-system"]),
        overlays=[
            Overlay(
                name="prod",
                bases=[
                    Base(name="all", objects=[*objects, cm]),
                    Base(
                        name="extra",
                        objects=[dict(cm), obj("v1", "Secret", "s", "web", data={"k": "dg=="})],
                    ),
                ],
            )
        ],
    )
    found = {(f.rule, f.obj, f.field) for f in lint(cluster)}
    assert found == {
        ("duplicate-id", "ConfigMap/web/shared", "metadata.name"),
        ("secret-plaintext", "Secret/web/s", "data"),
    }


def test_lint_ignore_silences_one_rule_of_one_object() -> None:
    change = _set(("Service", "web"), "spec.selector", {"app": "webb"})
    assert run(change, lint_ignore={"Service/web/web": ["service-selector"]}) == set()
    assert run(change, lint_ignore={"prod:Service/web/web": ["service-selector"]}) == set()
    assert run(change, lint_ignore={"staging:Service/web/web": ["service-selector"]}) != set()
    assert run(change, lint_ignore={"Service/web/web": ["image-tag"]}) != set()


def test_findings_sort_and_format_as_one_line() -> None:
    f = Finding("prod", "Service/web/web", "spec.selector", "service-selector", "error", "x")
    assert f.format() == "error: prod: Service/web/web: spec.selector: x [service-selector]"


def test_default_fleet_lints_clean() -> None:
    from kustgen.default import fleet

    for cluster in fleet.clusters:
        assert lint(cluster) == []


def test_a_namespace_the_overlay_sets_counts_as_declared() -> None:
    base = Base(name="b", objects=[obj("v1", "ConfigMap", "settings", None, data={"a": "b"})])
    cluster = Cluster(
        name="home",
        overlays=[
            Overlay(name="dev", bases=[base], namespace="dev"),
            Overlay(
                name="typo",
                bases=[base],
                objects=[obj("v1", "ConfigMap", "extra", "dve", data={"a": "b"})],
            ),
        ],
    )
    assert {(f.rule, f.env, f.obj) for f in lint(cluster)} == {
        ("namespace-unknown", "typo", "ConfigMap/dve/extra")
    }


def test_name_prefix_breaks_recurring_job_references() -> None:
    job = obj(
        "longhorn.io/v1beta2",
        "RecurringJob",
        "nightly",
        "longhorn-system",
        spec={"cron": "0 2 * * *", "task": "snapshot", "retain": 3, "concurrency": 1},
    )
    selector = '[{"name":"nightly","isGroup":false},{"name":"default","isGroup":true}]'

    def change(objects: list[Obj]) -> None:
        objects.append(copy.deepcopy(job))
        find(objects, ("StorageClass", "replicated"))["parameters"]["recurringJobSelector"] = (
            selector
        )
        find(objects, ("PersistentVolumeClaim", "data"))["metadata"]["labels"] = {
            "recurring-job.longhorn.io/source": "enabled",
            "recurring-job.longhorn.io/nightly": "enabled",
        }

    assert run(change) == set()
    found = run(change, overlay={"name_suffix": "-lab"})
    assert {f for f in found if f[1] != "BGPAdvertisement/metallb-system/main-lab"} == {
        ("cr-ref-broken", "StorageClass/replicated-lab", "parameters.recurringJobSelector"),
        (
            "cr-ref-broken",
            "PersistentVolumeClaim/web/data-lab",
            "metadata.labels.recurring-job.longhorn.io/nightly",
        ),
        ("cr-ref-broken", "Setting/longhorn-system/default-replica-count-lab", "metadata.name"),
        ("lb-no-pool", "Service/web/web-lb-lab", POOL_NOTE),
    }


def test_a_config_setting_named_like_the_prefix_was_not_renamed() -> None:
    """The prefix reaches the applications layer only: a Setting of the config layer
    whose name happens to start with it is not reported."""
    setting = obj("longhorn.io/v1beta2", "Setting", "auto-salvage", "longhorn-system",
                  value="true")
    app = obj("v1", "ConfigMap", "settings", "web", data={"a": "b"})
    cluster = Cluster(
        name="home", external=External(namespaces=["web", "longhorn-system"]),
        overlays=[Overlay(name="prod", bases=[Base(name="lh", objects=[setting]),
                                             Base(name="app", objects=[app])],
                          name_prefix="auto-")],
    )
    assert lint(cluster) == []


def test_an_overlap_sits_on_the_pool_declared_later_and_names_the_other_with_its_namespace(
) -> None:
    """'aaa' sorts before 'main' but is declared after it: the finding is on 'aaa'.
    An environment's own objects come after its bases'."""
    late = obj("metallb.io/v1beta1", "IPAddressPool", "aaa", MLB,
               spec={"addresses": ["10.0.0.100-10.0.0.110", "10.0.0.105/32"]})
    objects = clean_objects()
    for overlay in (
        Overlay(name="prod", bases=[Base(name="all", objects=[*objects, late])]),
        Overlay(name="prod", bases=[Base(name="all", objects=objects)], objects=[late]),
    ):
        cluster = Cluster(name="home", overlays=[overlay], nodes=3,
                          external=External(namespaces=[MLB, "longhorn-system"]))
        found = sorted((f.obj, f.field, f.message) for f in lint(cluster)
                       if f.rule == "metallb-pool-overlap")
        assert found == [
            ("IPAddressPool/metallb-system/aaa", "spec.addresses[0]",
             "'10.0.0.100-10.0.0.110' overlaps IPAddressPool/metallb-system/main "
             "spec.addresses[0] '10.0.0.0/24'"),
            ("IPAddressPool/metallb-system/aaa", "spec.addresses[1]",
             "'10.0.0.105/32' overlaps IPAddressPool/metallb-system/main "
             "spec.addresses[0] '10.0.0.0/24'"),
        ]


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.0.0.0/255.255.255.0", "is not a CIDR (ADDRESS/PREFIX) or a FIRST-LAST range"),
        (" 10.0.0.0/24", "does not appear to be an IPv4 or IPv6 address"),
        ("10.0.0.9-10.0.0.1", "starts above its end"),
        ("10.0.0.1-fd00::1", "mixes IPv4 and IPv6"),
    ],
)
def test_unparsable_addresses_say_why(address: str, reason: str) -> None:
    def change(objects: list[Obj]) -> None:
        find(objects, ("IPAddressPool", "v6"))["spec"]["addresses"] = ["fd00::/120", address]

    objects = clean_objects()
    change(objects)
    cluster = Cluster(name="home", overlays=[Overlay(name="prod", bases=[
        Base(name="all", objects=objects)])], nodes=3,
        external=External(namespaces=[MLB, "longhorn-system"]))
    (found,) = [f for f in lint(cluster) if f.rule == "metallb-address"]
    assert reason in found.message
