"""What a GitOps engine applies for one cluster: kustomization directories, in layer order.

A unit is one directory: an installation of ``Cluster.installs``
(``installs/<name>``, always the first layer) or one layer of one
environment (``overlays/<env>`` or ``overlays/<env>/<layer>``).  The
cluster's layers are put in order across all its environments, so a layer
defining a kind (by its CRD) comes before every layer using it, whichever
environment each belongs to; units of one layer are applied side by side,
each after every unit of the layer before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from kustgen.errors import ConflictError
from kustgen.layers import INSTALL, Layer, Piece, as_layer, layer_order, needs_of
from kustgen.layout import environment_dirs, install_dir
from kustgen.tree import Base, Cluster


class Unit(NamedTuple):
    """One kustomization directory the engine applies."""

    name: str  # unique in the cluster: <install>, or <env>-<layer>
    layer: Layer
    path: str  # the directory, relative to the output root
    env: str | None  # None for an installation of Cluster.installs
    wave: int  # the position of its layer among the cluster's layers
    after: tuple[str, ...]  # units applied (and ready) before this one


def cluster_units(cluster: Cluster, pieces: Mapping[str, Sequence[Piece]],
                  plain: Callable[[Base], list[dict[str, Any]]]) -> list[Unit]:
    """The cluster's units in apply order; a layer cycle across them is an ``InputError``."""
    found: list[tuple[str, Layer, str, str | None, list[dict[str, Any]]]] = []
    for install in cluster.installs:
        layer = as_layer(install.layer) if install.layer is not None else INSTALL
        found.append((install.name, layer, install_dir(install), None, plain(install)))
    for overlay in cluster.overlays:
        for directory, piece in environment_dirs(overlay, pieces[overlay.name]):
            name = f"{overlay.name}-{piece.layer.name}"
            found.append((name, piece.layer, directory, overlay.name, piece.objects))
    where = f"cluster {cluster.name}"
    needs = needs_of((layer.name, path, objects) for _, layer, path, _, objects in found)
    order = layer_order([layer for _, layer, *_ in found], needs, where)
    wave = {layer.name: i for i, layer in enumerate(order)}
    names: dict[str, str] = {}
    for name, _, path, _, _ in found:
        other = names.setdefault(name, path)
        if other != path:
            raise ConflictError(f"{other} and {path} would both be applied as {name!r}; "
                                "rename the installation or environment", obj=where)
    units = []
    for name, layer, path, env, _ in sorted(found, key=lambda u: (wave[u[1].name], u[2])):
        before = tuple(sorted(
            other for other, other_layer, *_ in found if wave[other_layer.name] ==
            wave[layer.name] - 1))
        units.append(Unit(name, layer, path, env, wave[layer.name], before))
    return units
