"""Flux objects of one cluster: a ``GitRepository`` and a ``Kustomization`` per unit.

Each ``Kustomization`` waits for every unit of the layer before
(``dependsOn``), reports ready only when everything it applied is
(``wait: true``: CRDs established, controllers and webhooks up), and removes
what left the tree (``prune: true``).  The files are plain YAML without a
``kustomization.yaml``, so the directory can also be the path of
``flux bootstrap`` (which adds its own ``flux-system/`` beside them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from kustgen import yamlio
from kustgen.gitops.models import kustomize_toolkit_fluxcd_io as kf
from kustgen.gitops.models import source_toolkit_fluxcd_io as sf
from kustgen.k8s import meta_v1 as meta
from kustgen.layout import resource_filename
from kustgen.model import Resource, to_dict

if TYPE_CHECKING:
    from kustgen.gitops import Flux
    from kustgen.gitops.units import Unit
    from kustgen.layout import Tree
    from kustgen.tree import Cluster

DEFAULT_BRANCH = "main"


def flux_objects(config: Flux, cluster: Cluster, units: Sequence[Unit]) -> list[Resource]:
    """The GitRepository (unless ``create_source=False``) and the Kustomizations."""
    source = config.source or cluster.name
    where = f"Flux of cluster {cluster.name}"
    objects: list[Resource] = []
    if config.create_source:
        objects.append(sf.GitRepository(
            metadata=meta.ObjectMeta(name=source, namespace=config.namespace),
            spec=sf.GitRepositoryV1Spec(
                interval="1m",
                url=config.need_url(cluster),
                ref=sf.GitRepositoryV1SpecRef(branch=config.branch or DEFAULT_BRANCH),
                secret_ref=sf.GitRepositoryV1SpecSecretRef(name=config.secret)
                if config.secret else None,
            ),
        ))
    for unit in units:
        objects.append(kf.Kustomization(
            metadata=meta.ObjectMeta(name=unit.name, namespace=config.namespace),
            spec=kf.KustomizationV1Spec(
                interval=config.interval,
                path=f"./{config.repo_path(unit.path, where)}",
                prune=True,
                wait=True,
                timeout=config.timeout,
                source_ref=kf.KustomizationV1SpecSourceRef(kind="GitRepository", name=source),
                depends_on=[kf.KustomizationV1SpecDependsOn(name=n) for n in unit.after] or None,
            ),
        ))
    return objects


def flux_files(config: Flux, cluster: Cluster, units: Sequence[Unit],
               tree: Mapping[str, str]) -> Tree:
    config.check_paths(units, tree, "Kustomization")
    directory = config.out_directory(cluster)
    files = {}
    for obj in flux_objects(config, cluster, units):
        data = to_dict(obj)
        files[f"{directory}/{resource_filename(data['kind'], data['metadata']['name'])}"] = (
            yamlio.dump_file(data))
    return files
