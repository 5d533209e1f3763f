"""Argo CD objects of one cluster: an app of apps applying the units wave by wave.

``gitops/<cluster>/`` holds the root ``Application`` (and any
``AppProject``); it syncs ``gitops/<cluster>/applications/``, one
``Application`` per unit whose ``argocd.argoproj.io/sync-wave`` is its
layer's position, so Argo CD creates a layer's applications only once the
layer before is synced and healthy.  (Argo CD assesses the health of
``Application`` objects only with the health check its documentation gives
for app of apps, in ``argocd-cm``; see the README.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kustgen import yamlio
from kustgen.errors import InputError
from kustgen.gitops.flux import DEFAULT_BRANCH
from kustgen.gitops.models import argoproj_io as argo
from kustgen.k8s import meta_v1 as meta
from kustgen.kustomization import Kustomization
from kustgen.layout import GENERATED_HEADER, resource_filename
from kustgen.tree import object_to_dict

if TYPE_CHECKING:
    from kustgen.gitops import ArgoCD
    from kustgen.gitops.units import Unit
    from kustgen.layout import Tree
    from kustgen.tree import Cluster

IN_CLUSTER = "https://kubernetes.default.svc"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
APPLICATIONS = "applications"


def project(name: str, *, source_repos: Sequence[str] = ("*",),
            servers: Iterable[str] = (IN_CLUSTER,), namespace: str = "argocd",
            description: str | None = None) -> Any:
    """An ``AppProject`` that may apply anything from ``source_repos`` to ``servers``.

    Layers create CustomResourceDefinitions, namespaces and storage classes,
    so every cluster-scoped kind is allowed.
    """
    return argo.AppProject(
        metadata=meta.ObjectMeta(name=name, namespace=namespace),
        spec=argo.AppProjectV1alpha1Spec(
            description=description,
            source_repos=list(source_repos),
            destinations=[argo.AppProjectV1alpha1SpecDestinations(server=s, namespace="*")
                          for s in servers],
            cluster_resource_whitelist=[
                argo.AppProjectV1alpha1SpecClusterResourceWhitelist(group="*", kind="*")],
        ),
    )


def _sync_policy(server_side: bool) -> Any:
    return argo.ApplicationV1alpha1SpecSyncPolicy(
        automated=argo.ApplicationV1alpha1SpecSyncPolicyAutomated(prune=True, self_heal=True),
        retry=argo.ApplicationV1alpha1SpecSyncPolicyRetry(
            limit=5,
            backoff=argo.ApplicationV1alpha1SpecSyncPolicyRetryBackoff(
                duration="10s", factor=2, max_duration="3m"),
        ),
        # CRDs are too large for client-side apply's last-applied annotation.
        sync_options=["ServerSideApply=true"] if server_side else None,
    )


def _application(config: ArgoCD, name: str, path: str, url: str, server: str,
                 namespace: str | None, annotations: dict[str, str] | None,
                 server_side: bool = False) -> Any:
    return argo.Application(
        metadata=meta.ObjectMeta(name=name, namespace=config.namespace, annotations=annotations),
        spec=argo.ApplicationV1alpha1Spec(
            project=config.project,
            source=argo.ApplicationV1alpha1SpecSource(
                repo_url=url, target_revision=config.branch or DEFAULT_BRANCH, path=path),
            destination=argo.ApplicationV1alpha1SpecDestination(server=server,
                                                                 namespace=namespace),
            sync_policy=_sync_policy(server_side),
        ),
    )


def argocd_files(config: ArgoCD, cluster: Cluster, units: Sequence[Unit],
                 tree: Mapping[str, str]) -> Tree:
    config.check_paths(units, tree, "Application", f"{cluster.name}-{{}}")
    where = f"ArgoCD of cluster {cluster.name}"
    directory = config.out_directory(cluster)
    url = config.need_url(cluster)
    projects = [object_to_dict(p) for p in config.projects]
    defined = ["default", *(p["metadata"]["name"] for p in projects)]
    if config.project not in defined:
        raise InputError(
            f"project {config.project!r} does not exist (defined: {', '.join(defined)}); "
            "add it to ArgoCD(projects=[...])",
            obj=f"Application/{cluster.name}", field="spec.project",
        )
    files: dict[str, str] = {}

    def put(folder: str, data: dict[str, Any]) -> str:
        filename = resource_filename(data["kind"], data["metadata"]["name"])
        files[f"{folder}/{filename}"] = yamlio.dump_file(data)
        return filename

    children = f"{directory}/{APPLICATIONS}"
    listed = []
    for unit in units:
        child = _application(
            config, f"{cluster.name}-{unit.name}", config.repo_path(unit.path, where), url,
            config.server, None, {SYNC_WAVE: str(unit.wave)},
            server_side=unit.layer.name == "install",
        )
        listed.append(put(children, object_to_dict(child)))
    files[f"{children}/kustomization.yaml"] = GENERATED_HEADER + yamlio.dump_file(
        Kustomization(resources=sorted(listed)).to_dict())
    root = _application(config, cluster.name, config.repo_path(children, where), url,
                        IN_CLUSTER, config.namespace, None)
    put(directory, object_to_dict(root))
    for data in projects:
        put(directory, data)
    return files
