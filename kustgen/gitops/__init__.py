"""GitOps output: the objects that make Flux or Argo CD apply a cluster's layers in order.

Choose the engine per cluster in Python::

    Cluster(name="home", overlays=[...], gitops=Flux(url="https://git.example.com/homelab.git"))
    Cluster(name="lab", overlays=[...], gitops=ArgoCD(url=..., project="homelab",
                                                       projects=[argocd.project("homelab")]))

Each cluster's objects go to ``gitops/<cluster>/`` (``directory=``).  Paths
in them are relative to the repository root, which is the build's output
directory unless ``path=`` says where the tree sits inside the repository.
``url``, ``branch`` and ``path`` left out here come from ``[tool.kustgen]``
``repository``, ``branch`` and ``repository-path`` (see :meth:`GitOps.with_defaults`).

Flux (:mod:`kustgen.gitops.flux`) gets a ``GitRepository`` and one
``Kustomization`` per unit with ``dependsOn``, ``wait`` and ``prune``; Argo CD
(:mod:`kustgen.gitops.argocd`) an app-of-apps: one ``Application`` per unit
with sync waves, under a root ``Application``.  The typed classes they are
written with are generated from the upstream CRDs (:mod:`kustgen.gitops.models`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from posixpath import normpath
from typing import TYPE_CHECKING, Any

from kustgen.errors import InputError

if TYPE_CHECKING:
    from kustgen.gitops.units import Unit
    from kustgen.layout import Tree
    from kustgen.tree import Cluster

__all__ = ["ArgoCD", "Flux", "GitOps"]

#: Where the clusters' GitOps objects go (``gitops/<cluster>`` unless ``directory`` says).
GITOPS_DIR = "gitops"


@dataclass(frozen=True, kw_only=True)
class GitOps:
    """What every engine needs: the repository, the branch, where the tree sits in it."""

    url: str | None = None
    branch: str | None = None
    #: The output directory's path inside the repository ("" = the repository root).
    path: str | None = None
    #: Where this cluster's objects are written, below ``gitops/`` (default
    #: ``gitops/<cluster>``).
    directory: str | None = None

    engine = "gitops"

    def with_defaults(self, *, url: str | None = None, branch: str | None = None,
                      path: str | None = None) -> GitOps:
        """This configuration with the fields it leaves out taken from ``[tool.kustgen]``."""
        return replace(
            self,
            url=self.url if self.url is not None else url,
            branch=self.branch if self.branch is not None else branch,
            path=self.path if self.path is not None else path,
        )

    def out_directory(self, cluster: Cluster) -> str:
        """Where the objects go: ``gitops/<cluster>``, or ``directory`` (below ``gitops/``:
        kustgen writes nowhere else)."""
        where = f"{type(self).__name__} of cluster {cluster.name}"
        directory = _clean(self.directory or f"{GITOPS_DIR}/{cluster.name}", where, "directory")
        if not directory.startswith(f"{GITOPS_DIR}/"):
            raise InputError(f"{self.directory!r} is not below {GITOPS_DIR}/ (kustgen writes "
                             "GitOps objects nowhere else)", obj=where, field="directory")
        return directory

    def repo_path(self, directory: str, where: str) -> str:
        """``directory`` of the tree as a path inside the repository."""
        prefix = self.path or ""
        prefix = _clean(prefix, where, "path") if prefix and normpath(prefix) != "." else ""
        return f"{prefix}/{directory}" if prefix else directory

    def need_url(self, cluster: Cluster) -> str:
        if not self.url:
            raise InputError(
                "no repository URL: set it here or as [tool.kustgen] repository",
                obj=f"{type(self).__name__} of cluster {cluster.name}", field="url",
            )
        return self.url

    def files(self, cluster: Cluster, units: Sequence[Unit], tree: Mapping[str, str]) -> Tree:
        """The engine's objects for ``cluster``, as files of the tree."""
        raise NotImplementedError

    def check_paths(self, units: Sequence[Unit], tree: Mapping[str, str], kind: str,
                    name: str = "{}") -> None:
        """Every unit's directory is a kustomization of the tree."""
        for unit in units:
            if f"{unit.path}/kustomization.yaml" not in tree:
                raise InputError(f"{unit.path} is not a kustomization directory of the tree",
                                 obj=f"{kind}/{name.format(unit.name)}", field="spec.path")


@dataclass(frozen=True, kw_only=True)
class Flux(GitOps):
    """Flux: a ``GitRepository`` and one ``Kustomization`` per unit, each waiting for
    the units of the layer before (``dependsOn``), health-checked (``wait``) and pruned.

    ``source`` names the GitRepository (default: the cluster's name); with
    ``create_source=False`` an existing one is used instead (``flux-system``
    after ``flux bootstrap``).  ``secret`` names a Secret holding the
    repository's credentials (never its contents).
    """

    namespace: str = "flux-system"
    source: str | None = None
    create_source: bool = True
    secret: str | None = None
    interval: str = "10m"
    timeout: str = "5m"

    engine = "flux"

    def files(self, cluster: Cluster, units: Sequence[Unit], tree: Mapping[str, str]) -> Tree:
        from kustgen.gitops.flux import flux_files

        return flux_files(self, cluster, units, tree)


@dataclass(frozen=True, kw_only=True)
class ArgoCD(GitOps):
    """Argo CD: one ``Application`` per unit with its layer as sync wave, under a root
    ``Application`` (app of apps) that creates them wave by wave.

    ``project`` must be ``default`` or one of ``projects`` (``AppProject``
    objects written beside, e.g. from :func:`kustgen.gitops.argocd.project`).
    ``server`` is the API server the units are applied to (the cluster Argo CD
    runs in by default).
    """

    namespace: str = "argocd"
    project: str = "default"
    projects: Sequence[Any] = field(default_factory=tuple)
    server: str = "https://kubernetes.default.svc"

    engine = "argocd"

    def files(self, cluster: Cluster, units: Sequence[Unit], tree: Mapping[str, str]) -> Tree:
        from kustgen.gitops.argocd import argocd_files

        return argocd_files(self, cluster, units, tree)


def _clean(path: str, where: str, field_name: str) -> str:
    """A relative POSIX path inside the tree, or an ``InputError``."""
    normal = normpath(path) if path else ""
    if (not normal or normal == "." or normal.startswith(("/", "../")) or normal == ".."
            or "\\" in path):
        raise InputError(f"{path!r} is not a relative path inside the tree",
                         obj=where, field=field_name)
    return normal


def check_repository_path(clusters: Sequence[Cluster], inside: str, root: object) -> None:
    """Refuse GitOps paths that would not exist in the repository: the output tree is
    at ``inside`` (relative to the repository ``root``), so each cluster's ``path``
    must say so."""
    actual = "" if normpath(inside or ".") == "." else normpath(inside)
    for cluster in clusters:
        config = cluster.gitops
        if config is None:
            continue
        said = "" if normpath(config.path or ".") == "." else normpath(config.path or "")
        if said != actual:
            where = f"{actual}/ in" if actual else "the root of"
            stated = f"path={said!r}" if said else "no path (the repository root)"
            raise InputError(
                f"{stated}, but the output directory is {where} the git repository at {root}: "
                f"every GitOps path would point elsewhere; set path={actual!r} or "
                f"[tool.kustgen] repository-path",
                obj=f"{type(config).__name__} of cluster {cluster.name}", field="path",
            )
