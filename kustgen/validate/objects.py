"""Each environment's final objects, as they land in the cluster.

Validation and lint look at what `kubectl kustomize overlays/ENV` prints, so
overlay effects (namespace, name prefix, patches) are seen.  Two resources
with the same id stop a kustomize build; when rendering an environment fails
that way, its bases are rendered one by one to find the copies, each is
reported as a ``duplicate-id`` finding and the later copy is left out, so the
rest of the environment is still checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kustgen.errors import ConflictError
from kustgen.inputs import input_tree
from kustgen.layout import Tree, included_dir, overlay_dir
from kustgen.tree import Base, Cluster, Overlay, object_to_dict
from kustgen.validate.findings import Finding, finding

if TYPE_CHECKING:
    from kustgen.render import FileTree, RenderCache

Key = tuple[str, str, str, str]  # apiVersion, kind, namespace ("" for default), name


@dataclass
class EnvObjects:
    """One environment: its overlay, its final objects, and duplicate ids found on the way."""

    env: str
    overlay: Overlay
    objects: list[dict[str, Any]]
    duplicates: list[Finding] = field(default_factory=list)


def _key(data: Mapping[str, Any], namespace: str | None = None) -> Key:
    meta = data.get("metadata") or {}
    ns = namespace or meta.get("namespace") or ""
    return (data["apiVersion"], data["kind"], "" if ns == "default" else ns, meta.get("name", ""))


def environments(
    cluster: Cluster, envs: Sequence[str] | None = None, *, files: Tree | None = None
) -> list[EnvObjects]:
    """The final objects of ``envs`` (default: every environment) of ``cluster``.

    ``files`` is the cluster's tree (``layout``) when the caller has it already;
    files kept by hand get empty stand-ins (``kustgen.inputs``), as they do not matter here.
    """
    from kustgen.render import FileTree

    tree = FileTree(input_tree(cluster, files=files))
    return [env_objects(cluster, env, files=tree) for env in
            (envs if envs is not None else cluster.envs())]


def env_objects(cluster: Cluster, env: str, *, files: Tree | FileTree | None = None,
                cache: RenderCache | None = None) -> EnvObjects:
    """The final objects of one environment (see ``environments``); ``cache`` is
    where the renderer remembers builds (default: the process's own)."""
    from kustgen.render import FileTree, render

    overlay = cluster.overlay(env)
    if not isinstance(files, FileTree):
        files = FileTree(input_tree(cluster, files=files))
    try:
        return EnvObjects(env, overlay, render(files, overlay_dir(overlay), cache=cache))
    except ConflictError:
        duplicates, trimmed = _without_duplicates(env, overlay, files)
        if not duplicates:
            raise
    trimmed_cluster = Cluster(name=cluster.name, overlays=[trimmed])
    tree = input_tree(trimmed_cluster)
    return EnvObjects(env, overlay, render(tree, overlay_dir(overlay)), duplicates)


def _without_duplicates(env: str, overlay: Overlay, files: FileTree
                        ) -> tuple[list[Finding], Overlay]:
    """Duplicate-id findings of ``overlay`` and the overlay with later copies left out."""
    from kustgen.render import render

    seen: dict[Key, str] = {}
    findings: list[Finding] = []
    bases: list[Base] = []
    for base in overlay.bases:
        dropped: set[Key] = set()
        for data in render(files, included_dir(overlay, base)):
            key = _key(data)
            if key in seen:
                findings.append(_duplicate(env, data, seen[key], f"base {base.name}"))
                dropped.add(key)
            else:
                seen[key] = f"base {base.name}"
        kept = [o for o in base.objects if _key(object_to_dict(o), base.namespace) not in dropped]
        bases.append(base if not dropped else replace(base, objects=kept))
    own = []
    for obj in overlay.objects:
        data = object_to_dict(obj)
        key = _key(data)
        if key in seen:
            findings.append(_duplicate(env, data, seen[key], f"overlay {overlay.name}"))
        else:
            seen[key] = f"overlay {overlay.name}"
            own.append(obj)
    return findings, replace(overlay, bases=bases, objects=own)


def _duplicate(env: str, data: Mapping[str, Any], first: str, second: str) -> Finding:
    return finding(
        "duplicate-id",
        "error",
        env,
        data,
        "metadata.name",
        f"defined in {first} and again in {second}; kustomize refuses two resources with one id",
    )


@dataclass
class SharedCluster:
    """What the environments of one cluster apply next to each other."""

    #: Each environment's objects outside its environment layer (its infrastructure),
    #: and each installation's (as ``install <name>``).
    infrastructure: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Objects two environments both apply to the cluster.
    duplicates: list[Finding] = field(default_factory=list)

    def provided_to(self, env: str) -> list[dict[str, Any]]:
        """The infrastructure the other environments put on the cluster."""
        return [obj for other, objects in self.infrastructure.items() if other != env
                for obj in objects]


def shared_cluster(cluster: Cluster, *, complete: bool = True,
                   files: Tree | FileTree | None = None,
                   rendered: Mapping[str, list[dict[str, Any]]] | None = None) -> SharedCluster:
    """The infrastructure of each environment of ``cluster`` and, when ``complete``
    (every environment checked), the objects two environments (or an installation and
    an environment) both apply.  ``rendered`` are environments' objects already
    rendered, by name: they are not rendered again."""
    from kustgen.errors import KustgenError
    from kustgen.layout import environment_dirs
    from kustgen.render import FileTree, render

    shared = SharedCluster()
    installs = [i for i in cluster.installs if not i.remote_resources]
    if len(cluster.overlays) + len(installs) < 2:
        return shared
    if not isinstance(files, FileTree):
        files = FileTree(input_tree(cluster, files=files))
    tree = files
    rendered = rendered or {}

    def objects_of(directory: str) -> list[dict[str, Any]]:
        try:
            return render(tree, directory)
        except KustgenError:
            return []  # reported when the environment itself is rendered

    units: list[tuple[str, str, list[dict[str, Any]]]] = []  # (env column, who, objects)
    for install in installs:
        objects = objects_of(f"installs/{install.name}")
        shared.infrastructure[f"install {install.name}"] = objects
        units.append((f"install {install.name}", f"installation {install.name}", objects))
    for overlay in cluster.overlays:
        if len(cluster.overlays) > 1:  # what the others run on
            shared.infrastructure[overlay.name] = [
                obj for directory, piece in environment_dirs(overlay)
                if not piece.layer.environment for obj in objects_of(directory)]
        if complete:
            known = rendered.get(overlay.name)
            objects = known if known is not None else objects_of(overlay_dir(overlay))
            units.append((overlay.name, f"environment {overlay.name}", objects))
    applied: dict[Key, str] = {}
    for env, who, objects in units if complete else ():
        for obj in objects:
            other = applied.setdefault(_key(obj), who)
            if other != who:
                advice = "" if "installation" in other + who else (
                    ", or give each environment a cluster of its own (a Fleet)")
                shared.duplicates.append(finding(
                    "duplicate-id", "error", env, obj, "metadata.name",
                    f"{other} applies it to cluster {cluster.name} too; keep it in one of "
                    f"them{advice}",
                ))
    return shared
