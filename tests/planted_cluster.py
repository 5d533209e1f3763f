"""A cluster with one planted mistake of each kind validate and lint report (tests only).

Written as a user would, on the public API: typed models where kustgen has
them, plain mappings for the rest.  ``EXPECTED`` lists every finding, once.
"""

from __future__ import annotations

from kustgen import Base, Cluster, External, Overlay
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta
from kustgen.k8s import storage_v1 as storage

MLB = "metallb-system"
LABELS = {"app": "shop"}


def _meta(name: str, namespace: str | None = "shop", **kw: object) -> meta.ObjectMeta:
    return meta.ObjectMeta(name=name, namespace=namespace, **kw)  # type: ignore[arg-type]


def _container(name: str, image: str, requests: bool = True) -> core.Container:
    return core.Container(
        name=name,
        image=image,
        ports=[core.ContainerPort(name="http", container_port=8080)],
        resources=core.ResourceRequirements(requests={"cpu": "100m"}) if requests else None,
    )


shop = apps.Deployment(
    metadata=_meta("shop"),
    spec=apps.DeploymentSpec(
        selector=meta.LabelSelector(match_labels=LABELS),
        template=core.PodTemplateSpec(
            metadata=meta.ObjectMeta(labels=LABELS),
            spec=core.PodSpec(
                containers=[
                    _container("shop", "shop:latest"),  # image-tag
                    _container("sidecar", "envoy:1.31", requests=False),  # container-requests
                ]
            ),
        ),
    ),
)


def _service(name: str, *, pool: str | None = None, **spec: object) -> core.Service:
    notes = {"metallb.io/address-pool": pool} if pool else None
    fields: dict[str, object] = {
        "selector": LABELS,
        "ports": [core.ServicePort(port=80, target_port="http")],
    }
    fields.update(spec)
    return core.Service(metadata=_meta(name, annotations=notes), spec=core.ServiceSpec(**fields))  # type: ignore[arg-type]


services = [
    _service("web"),
    _service("lb-unknown-pool", pool="nope", type="LoadBalancer"),  # lb-no-pool
    _service("lb-v6", type="LoadBalancer", ip_families=["IPv6"]),  # lb-no-pool
    _service("lb-quiet", pool="quiet", type="LoadBalancer"),  # lb-not-announced
    _service("orphan", selector={"app": "gone"}),  # service-selector
    _service("metrics", ports=[core.ServicePort(port=9090, target_port="metrics")]),  # target port
    _service("policy", type="LoadBalancer", external_traffic_policy="Locale"),  # field-value
]


def _claim(name: str, cls: str, mode: str = "ReadWriteOnce") -> core.PersistentVolumeClaim:
    return core.PersistentVolumeClaim(
        metadata=_meta(name),
        spec=core.PersistentVolumeClaimSpec(
            access_modes=[mode],
            storage_class_name=cls,
            resources=core.VolumeResourceRequirements(requests={"storage": "1Gi"}),
        ),
    )


def _pool(name: str, addresses: list[str]) -> dict[str, object]:
    return {
        "apiVersion": "metallb.io/v1beta1",
        "kind": "IPAddressPool",
        "metadata": {"name": name, "namespace": MLB},
        "spec": {"addresses": addresses},
    }


shop_base = Base(
    name="shop",
    objects=[
        core.Namespace(metadata=_meta("shop", None)),
        shop,
        *services,
        _claim("data", "replicated"),
        _claim("cache", "fast"),  # pvc-storage-class
        _claim("shared", "local-path", "ReadWriteMany"),  # pvc-rwx
        storage.StorageClass(
            metadata=_meta("replicated", None),
            provisioner="driver.longhorn.io",
            parameters={"numberOfReplicas": "4"},  # longhorn-replicas
        ),
        core.Secret(metadata=_meta("api-key"), string_data={"key": "hunter2"}),  # secret-plaintext
        core.ConfigMap(metadata=_meta("settings", "ghost"), data={"a": "b"}),  # namespace-unknown
        core.ConfigMap(metadata=_meta("common"), data={"a": "b"}),
        {
            "apiVersion": "longhorn.io/v1beta2",
            "kind": "RecurringJob",
            "metadata": {"name": "nightly", "namespace": "longhorn-system"},
            "spec": {
                "cron": "0 25 * * *",
                "task": "snapshot",
                "retain": 3,  # cron
                "concurrency": 1,
                "groups": ["default"],
            },
        },
    ],
)
extra_base = Base(
    name="extra",
    objects=[core.ConfigMap(metadata=_meta("common"), data={"b": "c"})],  # duplicate-id
)
metallb_base = Base(
    name="metallb",
    objects=[
        _pool("main", ["10.0.0.0/24"]),
        _pool("quiet", ["10.0.1.0/28", "10.0.0.250-10.0.0.254"]),  # overlap
        {
            "apiVersion": "metallb.io/v1beta2",
            "kind": "BGPPeer",
            "metadata": {"name": "router", "namespace": MLB},
            "spec": {"myASN": 64501, "peerASN": 65530, "peerAddress": "10.0.0.1", "holdTime": "90"},
        },  # duration
        {
            "apiVersion": "metallb.io/v1beta1",
            "kind": "BGPAdvertisement",
            "metadata": {"name": "main", "namespace": MLB},
            "spec": {"ipAddressPools": ["main", "old"]},
        },  # unknown-ref
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",  # schema
            "metadata": {"name": "speaker-probe", "namespace": MLB},
            "spec": {
                "replicas": "two",
                "selector": {"matchLabels": {"a": "b"}},
                "template": {
                    "metadata": {"labels": {"a": "b"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "p",
                                "image": "busybox:1.36",
                                "resources": {"requests": {"cpu": "1m"}},
                            }
                        ]
                    },
                },
            },
        },
    ],
)
lab_base = Base(
    name="lab-metallb",
    objects=[
        _pool("lab", ["192.168.50.0/28"]),
        {
            "apiVersion": "metallb.io/v1beta1",
            "kind": "L2Advertisement",
            "metadata": {"name": "lab", "namespace": MLB},
            "spec": {"ipAddressPools": ["lab"]},
        },
    ],
)

cluster = Cluster(
    name="planted",
    overlays=[
        Overlay(name="prod", bases=[shop_base, extra_base, metallb_base]),
        Overlay(name="lab", bases=[lab_base], name_prefix="lab-"),  # cr-ref-broken
    ],
    external=External(storage_classes=["local-path"], namespaces=[MLB, "longhorn-system"]),
    nodes=3,
)

C = "spec.template.spec.containers"
EXPECTED = {
    ("image-tag", "prod", "Deployment/shop/shop", f"{C}[0].image"),
    ("container-requests", "prod", "Deployment/shop/shop", f"{C}[1].resources.requests"),
    (
        "lb-no-pool",
        "prod",
        "Service/shop/lb-unknown-pool",
        "metadata.annotations.metallb.io/address-pool",
    ),
    ("lb-no-pool", "prod", "Service/shop/lb-v6", "spec.ipFamilies"),
    (
        "lb-not-announced",
        "prod",
        "Service/shop/lb-quiet",
        "metadata.annotations.metallb.io/address-pool",
    ),
    ("service-selector", "prod", "Service/shop/orphan", "spec.selector"),
    ("service-target-port", "prod", "Service/shop/metrics", "spec.ports[0].targetPort"),
    ("field-value", "prod", "Service/shop/policy", "spec.externalTrafficPolicy"),
    ("pvc-storage-class", "prod", "PersistentVolumeClaim/shop/cache", "spec.storageClassName"),
    ("pvc-rwx", "prod", "PersistentVolumeClaim/shop/shared", "spec.accessModes[0]"),
    ("longhorn-replicas", "prod", "StorageClass/replicated", "parameters.numberOfReplicas"),
    ("secret-plaintext", "bases/shop/secret-api-key.yaml", "Secret/shop/api-key", "stringData"),
    ("namespace-unknown", "prod", "ConfigMap/ghost/settings", "metadata.namespace"),
    ("duplicate-id", "prod", "ConfigMap/shop/common", "metadata.name"),
    ("cron", "prod", "RecurringJob/longhorn-system/nightly", "spec.cron"),
    ("metallb-pool-overlap", "prod", "IPAddressPool/metallb-system/quiet", "spec.addresses[1]"),
    ("duration", "prod", "BGPPeer/metallb-system/router", "spec.holdTime"),
    (
        "metallb-unknown-ref",
        "prod",
        "BGPAdvertisement/metallb-system/main",
        "spec.ipAddressPools[1]",
    ),
    ("schema", "prod", "Deployment/metallb-system/speaker-probe", "spec.replicas"),
    ("cr-ref-broken", "lab", "L2Advertisement/metallb-system/lab-lab", "spec.ipAddressPools[0]"),
}
