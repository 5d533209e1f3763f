"""GitLab (omnibus image) with its config, logs and data on Longhorn volumes.

The seed's data claim is ``gitlab-data-claim`` (``longhorn-retain``,
``ReadWriteMany``, 100Gi).  HTTP gets a ClusterIP Service named ``gitlab``;
HTTPS is terminated in front of it (an Ingress with TLS, as usual on
Kubernetes), so the generated ``gitlab.rb`` keeps GitLab's nginx on plain port
80 with ``external_url`` still ``https://...``.  SSH gets its own
``LoadBalancer`` Service ``gitlab-ssh`` (MetalLB).  ``gitlab.rb`` settings go
through ``GITLAB_OMNIBUS_CONFIG`` from the ConfigMap ``gitlab-omnibus-config``;
the initial root password is read only from a Secret you create yourself
(``kubectl -n gitlab create secret generic gitlab-root-password
--from-literal=password=...``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kustgen.catalog.app import App, Port, ServiceDef, Storage, container_app
from kustgen.catalog.metallb import POOL_ANNOTATION
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta

IMAGE = "gitlab/gitlab-ce"
TAG = "17.11.1-ce.0"


def omnibus_config(
    external_url: str,
    *,
    ssh_host: str | None = None,
    ssh_port: int = 22,
    probe_networks: Sequence[str] = ("10.0.0.0/8",),
) -> str:
    """A minimal ``gitlab.rb`` for running in a pod behind a TLS-terminating Ingress.

    ``probe_networks`` are allowed to read ``/-/readiness``: include the nodes'
    network, since the kubelet probes from the node's address.
    """
    allowed = ", ".join(f"'{n}'" for n in ("127.0.0.0/8", "::1/128", *probe_networks))
    lines = [
        f"external_url '{external_url}'",
        "nginx['listen_port'] = 80",
        "nginx['listen_https'] = false",
        "letsencrypt['enable'] = false",
        f"gitlab_rails['gitlab_shell_ssh_port'] = {ssh_port}",
        f"gitlab_rails['monitoring_whitelist'] = [{allowed}]",
        "prometheus_monitoring['enable'] = false",
    ]
    if ssh_host:
        lines.insert(1, f"gitlab_rails['gitlab_ssh_host'] = '{ssh_host}'")
    return "\n".join(lines) + "\n"


def gitlab(
    *,
    name: str = "gitlab",
    namespace: str = "gitlab",
    tag: str = TAG,
    external_url: str = "https://gitlab.example.com",
    config: str | None = None,
    data_claim: str = "gitlab-data-claim",
    data_size: str = "100Gi",
    config_size: str = "1Gi",
    logs_size: str = "10Gi",
    storage_class: str = "longhorn-retain",
    root_password_secret: str = "gitlab-root-password",
    root_password_key: str = "password",
    ssh_address_pool: str | None = None,
    requests: Mapping[str, str] | None = None,
    limits: Mapping[str, str] | None = None,
) -> App:
    """GitLab CE; ``config`` replaces the generated ``gitlab.rb`` (see :func:`omnibus_config`)."""
    config_name = f"{name}-omnibus-config"
    config_map = core.ConfigMap(
        metadata=meta.ObjectMeta(
            name=config_name,
            namespace=namespace,
            labels={"app.kubernetes.io/name": name},
        ),
        data={"gitlab.rb": config if config is not None else omnibus_config(external_url)},
    )
    secret_env = [
        core.EnvVar(
            name="GITLAB_OMNIBUS_CONFIG",
            value_from=core.EnvVarSource(
                config_map_key_ref=core.ConfigMapKeySelector(name=config_name, key="gitlab.rb")
            ),
        ),
        core.EnvVar(
            name="GITLAB_ROOT_PASSWORD",
            value_from=core.EnvVarSource(
                secret_key_ref=core.SecretKeySelector(
                    name=root_password_secret, key=root_password_key
                )
            ),
        ),
    ]
    http = core.HTTPGetAction(path="/-/readiness", port="http")
    return container_app(
        name,
        namespace=namespace,
        image=f"{IMAGE}:{tag}",
        ports=[Port("http", 80), Port("ssh", 22)],
        storage=[
            Storage("config", "/etc/gitlab", config_size, storage_class=storage_class),
            Storage("logs", "/var/log/gitlab", logs_size, storage_class=storage_class),
            Storage(
                "data",
                "/var/opt/gitlab",
                data_size,
                storage_class=storage_class,
                access_mode="ReadWriteMany",
                claim_name=data_claim,
            ),
        ],
        services=[
            ServiceDef(ports=["http"]),
            ServiceDef(
                name=f"{name}-ssh",
                ports=["ssh"],
                type="LoadBalancer",
                external_traffic_policy="Local",
                annotations={POOL_ANNOTATION: ssh_address_pool} if ssh_address_pool else {},
            ),
        ],
        env_from_refs=secret_env,
        extra_objects=[config_map],
        resources=core.ResourceRequirements(
            requests=dict(requests or {"cpu": "2", "memory": "8Gi"}),
            limits=dict(limits or {"memory": "8Gi"}),
        ),
        # First start (reconfigure, migrations) takes minutes.
        startup_probe=core.Probe(http_get=http, period_seconds=10, failure_threshold=60),
        readiness_probe=core.Probe(http_get=http, period_seconds=10, timeout_seconds=5),
        liveness_probe=core.Probe(
            tcp_socket=core.TCPSocketAction(port="http"), period_seconds=30, failure_threshold=5
        ),
    )
