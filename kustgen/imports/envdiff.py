"""Step 4 of `kustgen import --env`: several environments -> one base plus differences.

An object is in the base when more than half of the environments have it
(with two environments: when both do); its value in the base is the one of the
first environment given that has it (the reference).  Each environment then
differs from the base by objects it removes, objects it adds, and objects
whose values differ -- nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kustgen.imports.read import Ident, SourceObject


@dataclass
class EnvChanges:
    name: str
    removed: list[SourceObject] = field(default_factory=list)
    added: list[SourceObject] = field(default_factory=list)
    #: (the base's object, this environment's version of it)
    changed: list[tuple[SourceObject, SourceObject]] = field(default_factory=list)


@dataclass
class Split:
    base: list[SourceObject]
    envs: list[EnvChanges]


def split_environments(envs: Sequence[tuple[str, Sequence[SourceObject]]]) -> Split:
    """The shared base and each environment's changes, in a stable order."""
    present: dict[Ident, list[int]] = {}
    order: list[Ident] = []
    versions: list[dict[Ident, SourceObject]] = []
    for index, (_, objects) in enumerate(envs):
        by_id = {}
        for obj in objects:
            by_id[obj.ident] = obj
            if obj.ident not in present:
                present[obj.ident] = []
                order.append(obj.ident)
            present[obj.ident].append(index)
        versions.append(by_id)
    in_base = {i for i in order if len(present[i]) * 2 > len(envs)}
    base = [versions[present[i][0]][i] for i in order if i in in_base]
    result = []
    for index, (name, objects) in enumerate(envs):
        changes = EnvChanges(name)
        mine = versions[index]
        for obj in base:
            if obj.ident not in mine:
                changes.removed.append(obj)
            elif mine[obj.ident].data != obj.data:
                changes.changed.append((obj, mine[obj.ident]))
        changes.added = [o for o in objects if o.ident not in in_base]
        result.append(changes)
    return Split(base, result)
