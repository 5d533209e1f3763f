"""Building blocks for a bare-metal cluster, written on kustgen's public API only.

One module per block, each a set of plain functions with typed parameters and
defaults that return typed objects or a :class:`kustgen.Base`:

* :mod:`kustgen.catalog.longhorn` -- storage classes, recurring jobs, settings,
  backup target, and the pinned upstream installation as an optional base.
* :mod:`kustgen.catalog.metallb` -- address pools, BGP peers and advertisements,
  checked when they are built.
* :mod:`kustgen.catalog.app` -- "one container with volumes and services".
* :mod:`kustgen.catalog.minecraft`, :mod:`kustgen.catalog.gitlab` -- apps built on it.
"""
