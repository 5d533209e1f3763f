"""A fleet: several clusters sharing bases, written as one tree.

Every cluster's environments go to ``overlays/<env>/``, so environment names
are unique across the fleet (two clusters writing one directory is an
error); bases, components and installations are shared by name: one object
per name, written once.  A lone ``Cluster`` is a fleet of one
(:func:`as_fleet`), so every command takes either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from kustgen.errors import ConflictError, InputError
from kustgen.tree import Base, Cluster, Component, Overlay, check_dir_name

if TYPE_CHECKING:
    from typing import TypeAlias

__all__ = ["Fleet", "Target", "as_fleet"]

_Named = TypeVar("_Named", Base, Component)


@dataclass(kw_only=True)
class Fleet:
    """Clusters written to one tree; ``kustgen build`` and ``graph`` cover them all."""

    clusters: list[Cluster]
    name: str = "fleet"

    def __post_init__(self) -> None:
        check_dir_name("fleet", self.name)
        if not self.clusters:
            raise InputError("a fleet needs at least one cluster", obj=f"fleet {self.name}")
        seen: set[str] = set()
        for cluster in self.clusters:
            if not isinstance(cluster, Cluster):
                raise InputError(f"{type(cluster).__name__} is not a Cluster",
                                 obj=f"fleet {self.name}", field="clusters")
            if cluster.name in seen:
                raise ConflictError(f"two clusters are named {cluster.name!r}",
                                    obj=f"fleet {self.name}", field="clusters")
            seen.add(cluster.name)

    @property
    def overlays(self) -> list[Overlay]:
        """Every environment of every cluster, cluster by cluster."""
        return [overlay for cluster in self.clusters for overlay in cluster.overlays]

    def envs(self) -> list[str]:
        """Every environment name; two clusters with one environment name are refused
        (both would write ``overlays/<env>/``)."""
        owner: dict[str, str] = {}
        for cluster in self.clusters:
            for env in cluster.envs():
                other = owner.setdefault(env, cluster.name)
                if other != cluster.name:
                    raise ConflictError(
                        f"clusters {other} and {cluster.name} both write overlays/{env}/; "
                        "name the environments apart",
                        obj=f"fleet {self.name}", field="clusters",
                    )
        return list(owner)

    def cluster_of(self, env: str) -> Cluster:
        for cluster in self.clusters:
            if any(overlay.name == env for overlay in cluster.overlays):
                return cluster
        known = ", ".join(self.envs())
        raise InputError(f"no environment {env!r} (known: {known})", obj=self._label())

    def overlay(self, env: str) -> Overlay:
        return self.cluster_of(env).overlay(env)

    def cluster(self, name: str) -> Cluster:
        for cluster in self.clusters:
            if cluster.name == name:
                return cluster
        known = ", ".join(c.name for c in self.clusters)
        raise InputError(f"no cluster {name!r} (known: {known})", obj=f"fleet {self.name}")

    def select(self, cluster: str | None) -> Fleet:
        """This fleet, or only the cluster named ``cluster``."""
        if cluster is None:
            return self
        return Fleet(clusters=[self.cluster(cluster)], name=self.name)

    def with_gitops_defaults(self, *, url: str | None, branch: str | None,
                             path: str | None) -> Fleet:
        """This fleet with the GitOps fields its clusters leave out filled in
        (from ``[tool.kustgen]`` ``repository``, ``branch``, ``repository-path``)."""
        if url is None and branch is None and path is None:
            return self
        clusters = [
            replace(c, gitops=c.gitops.with_defaults(url=url, branch=branch, path=path))
            if c.gitops is not None else c
            for c in self.clusters
        ]
        return Fleet(clusters=clusters, name=self.name)

    def all_bases(self) -> list[Base]:
        return _shared("base", [b for c in self.clusters for b in c.all_bases()])

    def all_components(self) -> list[Component]:
        return _shared("component", [x for c in self.clusters for x in c.all_components()])

    def all_installs(self) -> list[Base]:
        return _shared("install", [i for c in self.clusters for i in c.installs])

    def _label(self) -> str:
        return f"cluster {self.clusters[0].name}" if len(self.clusters) == 1 else (
            f"fleet {self.name}")


Target: TypeAlias = "Cluster | Fleet"


def as_fleet(target: Cluster | Fleet) -> Fleet:
    """``target`` as a fleet (a cluster is a fleet of one)."""
    if isinstance(target, Fleet):
        return target
    if isinstance(target, Cluster):
        return Fleet(clusters=[target], name=target.name)
    raise InputError(f"{type(target).__name__} is neither a Cluster nor a Fleet", obj="target")


def _shared(what: str, items: list[_Named]) -> list[_Named]:
    """Items by name, each once; two different items of one name are refused."""
    by_name: dict[str, _Named] = {}
    for item in items:
        other = by_name.setdefault(item.name, item)
        if other is not item:
            raise ConflictError(f"two different {what}s are named {item.name!r}", obj=what)
    return list(by_name.values())
