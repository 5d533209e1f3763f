"""The overlay planner: from the bases' objects and the desired objects, the overlay.

``plan_overlay`` tries overlay-wide transformers first (each kept when the
overlay it gives renders exactly the desired objects), then writes what is left as one
patch per changed object, ``$patch: delete`` for objects the environment
drops and resources for objects only the environment has.

Every plan is checked by rendering it with ``kustgen.render`` and comparing
with the desired objects byte for byte.  An object the check finds different
is re-planned in the safe form (JSON6902 operations replacing whole top-level
fields); if the plan is still not exact, the planner raises ``PlanError``
rather than return a wrong overlay.  Each fallback is recorded in
``Plan.notes`` and reported as a ``PlanWarning``.
"""

from __future__ import annotations

import copy
import difflib
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from dataclasses import replace as dataclass_replace
from typing import Any, TypeVar

from kustgen import yamlio
from kustgen.errors import ConflictError, InputError, KustgenError
from kustgen.kustomization import (
    AnnotationsTransformer,
    ConfigMapGenerator,
    Label,
    PatchTarget,
    SecretGenerator,
)
from kustgen.plan import transforms as tf
from kustgen.plan.request import Plan, PlanError, PlanWarning, Request, plan_files
from kustgen.plan.smp import ObjectPatch, object_patch, replace_patch, rewrite_strings
from kustgen.plan.transforms import Ident, Transforms
from kustgen.render.scope import is_cluster_scoped
from kustgen.tree import (
    Base,
    Cluster,
    Component,
    KubeObject,
    Overlay,
    Patch,
    describe,
    object_id,
)

_REGEX_SPECIALS = re.compile(r"([.+*?()\[\]{}|^$\\])")
#: The suffix kustomize adds to a generated name (FACTS §3.5).
_HASHED = re.compile(r"-[2456789bcdfghkmt]{10}$")


def _merge_info() -> Any:
    from kustgen.render.mergeinfo import default_merge_info

    return default_merge_info()


def _render(overlay: Overlay, local_files: Mapping[str, str | bytes],
            extra: Sequence[Component] = ()) -> list[dict[str, Any]]:
    from kustgen.layout import overlay_dir
    from kustgen.render import render

    return render(plan_files(overlay, local_files, extra), overlay_dir(overlay))


def stand_ins(overlay: Overlay, local_files: Mapping[str, str | bytes]) -> list[str]:
    """The files kept by hand that ``overlay`` reads and ``local_files`` does not give."""
    from kustgen.layout import generator_dir, local_inputs

    prefix = f"{generator_dir(overlay)}/"
    return [item.path for item in local_inputs(Cluster(name="plan", overlays=[overlay]))
            if item.path.removeprefix(prefix) not in local_files]


def start_objects(name: str, bases: list[Base], components: list[Component],
                  local_files: Mapping[str, str | bytes] = {}) -> list[dict[str, Any]]:
    """The objects an environment starts from: its bases and components, rendered."""
    return _render(Overlay(name=name, bases=bases, components=components), local_files)


def _ident(obj: Mapping[str, Any]) -> Ident:
    return object_id(obj)


def _generated_in(sources: Sequence[Base | Component]) -> set[tuple[str, str]]:
    """(kind, name) of the ConfigMaps and Secrets the generators of ``sources`` make."""
    return {(kind, gen.name) for source in sources
            for kind, gens in (("ConfigMap", source.config_map_generators),
                               ("Secret", source.secret_generators))
            for gen in gens}


def _target(ident: Ident, generated: set[tuple[str, str]] = frozenset()  # type: ignore[assignment]
            ) -> PatchTarget:
    api_version, kind, namespace, name = ident
    if _HASHED.search(name) and (kind, name[:-11]) in generated:
        name = name[:-11]  # kustomize patches a generated object before it hashes the name
    group, _, version = api_version.rpartition("/")
    return PatchTarget(group=group or None, version=version, kind=kind,
                       name=_REGEX_SPECIALS.sub(r"\\\1", name), namespace=namespace or None)


def _lines(text: str) -> int:
    return text.count("\n")


@dataclass
class _Attempt:
    transforms: Transforms
    overlay: Overlay | Component
    objects: list[dict[str, Any]]
    size: int
    notes: list[str]
    bare: list[dict[str, Any]]


class _Planner:
    def __init__(self, request: Request):
        self.request = request
        self.info = _merge_info()
        self.notes: list[str] = []
        self.local_files = dict(request.local_files)
        if not request.component:
            probe = Overlay(name=request.name, bases=request.bases,
                            components=request.components,
                            config_map_generators=list(request.config_maps),
                            secret_generators=list(request.secrets))
            missing = stand_ins(probe, self.local_files)
            if missing:
                self.notes.append(
                    f"planned with empty stand-ins for files kept by hand ({', '.join(missing)}):"
                    " generated names in objects() carry the stand-ins' hash; "
                    "objects(root=OUT) reads the real files")
        self.start = request.start if request.start is not None else start_objects(
            request.name, request.bases, request.components, self.local_files)
        self.start_ids = [_ident(obj) for obj in self.start]
        self.base_generated = _generated_in([*request.bases, *request.components])
        self.origins: dict[Ident, str] | None = None
        self.start_by_id = {_ident(obj): obj for obj in self.start}
        seen: set[Ident] = set()
        for obj in request.desired:
            if _ident(obj) in seen:
                raise ConflictError("described twice", obj=describe(obj))
            seen.add(_ident(obj))
            if is_cluster_scoped(obj["kind"]) and (obj.get("metadata") or {}).get("namespace"):
                raise InputError("a cluster-scoped object has no namespace",
                                 obj=describe(obj), field="metadata.namespace")
            unwritable = yamlio.unwritable_path(obj)
            if unwritable:
                raise InputError(f"the value contains {unwritable[1]}, which kubectl cannot "
                                 "read back from YAML",
                                 obj=f"environment {request.name}: {describe(obj)}",
                                 field=unwritable[0])
        self.desired, self.generated, self.hashed = self._desired()

    def _desired(self) -> tuple[list[dict[str, Any]], set[Ident], dict[str, str]]:
        """The desired objects with generated names filled in, the generated
        objects' ids, and hashed name -> name as written by the user."""
        request = self.request
        desired = [_as_printed(obj) for obj in request.desired]
        if not request.config_maps and not request.secrets:
            return desired, set(), {}
        overlay = Overlay(name=request.name, objects=list[KubeObject](desired),
                          config_map_generators=list(request.config_maps),
                          secret_generators=list(request.secrets),
                          generator_options=request.generator_options,
                          name_references=list(request.name_references))
        rendered = _render(overlay, self.local_files)
        user_ids = {_ident(obj) for obj in desired}
        generated = {_ident(obj) for obj in rendered if _ident(obj) not in user_ids}
        hashed = {ident[3]: ident[3][:-11] for ident in generated if _HASHED.search(ident[3])}
        return [o for o in rendered if _ident(o) in user_ids], generated, hashed

    # -- one attempt -----------------------------------------------------------------

    def _overlay(self, t: Transforms, objects: list[KubeObject], patches: list[Patch]
                 ) -> Overlay | Component:
        r = self.request
        if r.component:
            return Component(name=r.name, objects=objects, patches=patches)
        return Overlay(
            name=r.name, bases=r.bases, components=r.components, objects=objects,
            namespace=t.namespace, name_prefix=t.name_prefix, name_suffix=t.name_suffix,
            labels=[Label(pairs=dict(t.labels))] if t.labels else [],
            common_annotations=dict(t.annotations), images=list(t.images),
            transformers=[AnnotationsTransformer(annotations=dict(t.metadata_annotations))]
            if t.metadata_annotations else [],
            replicas=list(t.replicas), base_namespaces=dict(t.base_namespaces),
            config_map_generators=_renamed(r.config_maps, t),
            secret_generators=_renamed(r.secrets, t), generator_options=r.generator_options,
            patches=patches, name_references=list(r.name_references),
        )

    def _render_plan(self, planned: Overlay | Component) -> list[dict[str, Any]]:
        r = self.request
        if isinstance(planned, Component):
            host = Overlay(name=r.name, bases=r.bases, components=[*r.components, planned])
            return _render(host, self.local_files, [planned])
        return _render(planned, self.local_files)

    def bare(self, t: Transforms) -> list[dict[str, Any]] | None:
        """The objects under ``t`` alone (no patches), or None if kustomize refuses them."""
        r = self.request
        if t == Transforms() and not r.config_maps and not r.secrets:
            return copy.deepcopy(self.start)
        try:
            return self._render_plan(self._overlay(t, [], []))
        except KustgenError:
            return None

    def attempt(self, t: Transforms, bare: list[dict[str, Any]] | None = None,
                renames: bool = True) -> _Attempt | None:
        bare = bare if bare is not None else self.bare(t)
        if bare is None:
            return None
        by_id = {_ident(o): o for o in bare}
        want = {_ident(o): o for o in self.desired}
        placed = {t.ident(ident): ident for ident in self.start_ids}
        if len(placed) != len(self.start_ids) or any(p not in by_id for p in placed):
            return None
        renamed_to = _renames(t, placed, want, by_id, self.info) if renames else {}
        added: list[KubeObject] = []
        for ident, obj in want.items():
            if ident in placed or ident in renamed_to.values():
                continue
            written = t.original_name(ident[3]) if ident[1] != "Namespace" else ident[3]
            if written is None:
                return None
            added.append(self._written(t, obj))
        patches: dict[Ident, ObjectPatch] = {}
        #: original id -> (the object before its patch, the object wanted)
        pairs: dict[Ident, tuple[dict[str, Any], dict[str, Any]]] = {}
        deleted: list[Ident] = []
        gone = [original for final, original in placed.items()
                if final not in want and final not in renamed_to]
        after = self._after_renames(t, placed, renamed_to, gone) if renamed_to or gone else {}
        for final, original in placed.items():
            if final in renamed_to:
                new = renamed_to[final]
                source = after.get(new) or {
                    **by_id[final], "metadata": {**by_id[final]["metadata"], "name": new[3]}
                }
                pairs[original] = (source, want[new])
                patch = object_patch(source, want[new], self.info)
                if _patch_lines(patch) * 2 > _lines(yamlio.dump(want[new])):
                    # Mostly different: a removed object and a new one, not a rename.
                    deleted.append(original)
                    added.append(self._written(t, want[new]))
                    continue
                patches[original] = ObjectPatch(patch.strategic, patch.operations,
                                                rename=t.original_name(new[3]),
                                                comments=patch.comments)
                continue
            if final not in want:
                deleted.append(original)
                continue
            pairs[original] = (after.get(final) or by_id[final], want[final])
            patch = object_patch(*pairs[original], self.info)
            if patch:
                patches[original] = patch
        notes: list[str] = []
        literal: set[Ident] = set()
        for _ in range(3):
            planned = self._overlay(t, added, self._patches(t, patches, deleted))
            try:
                rendered = self._render_plan(planned)
            except KustgenError as error:
                notes.append(f"kustomize would refuse the plan: {error.format()}")
                break
            wrong = self._wrong(rendered)
            if not wrong:
                size = _overlay_size(planned)
                return _Attempt(t, planned, rendered, size, notes, bare)
            fixable = [ident for final, ident in placed.items()
                       if final in wrong and final in want]
            if len(fixable) < len(wrong) or notes:
                break
            for ident in fixable:
                if ident not in literal and ident in pairs:
                    # Labels and annotations a transformer shared with the pod
                    # template or selector: change them by JSON6902 instead.
                    literal.add(ident)
                    patches[ident] = object_patch(*pairs[ident], self.info, literal_metadata=True)
                    continue
                final = t.ident(ident)
                notes.append(f"{ident[1]}/{ident[3]}: strategic merge was not exact; "
                             "wrote whole-field JSON6902 replacements instead")
                patches[ident] = replace_patch(self.start_by_id[ident], want[final])
        if renamed_to:  # kustomize also renamed references the objects keep: no renames
            return self.attempt(t, bare, renames=False)
        return None

    def _after_renames(self, t: Transforms, placed: Mapping[Ident, Ident],
                       renamed_to: Mapping[Ident, Ident], gone: list[Ident]
                       ) -> dict[Ident, dict[str, Any]]:
        """The objects once only the renames and removals are applied: kustomize
        rewrites the references to a renamed object, so those need no patch, and
        leaves a reference to a removed generated object unhashed."""
        renames = [
            Patch(target=self._short_target(placed[final]),
                  json6902=[_rename_op(t.original_name(new[3]) or new[3])])
            for final, new in renamed_to.items()
        ]
        removals = [Patch(target=_target(ident, self.base_generated),
                          strategic_merge={"$patch": "delete"}, by_id=True) for ident in gone]
        try:
            return {_ident(o): o for o in self._render_plan(
                self._overlay(t, [], [*removals, *renames]))}
        except KustgenError:
            return {}

    def _written(self, t: Transforms, obj: dict[str, Any]) -> dict[str, Any]:
        """An object only the environment has, as the overlay lists it (before ``t``)."""
        name = obj["metadata"]["name"]
        written = t.original_name(name) if obj["kind"] != "Namespace" else name
        renamed = {**obj, "metadata": {**obj["metadata"], "name": written or name}}
        return rewrite_strings(renamed, self._unhashed(t)) if self.hashed else renamed

    def _unhashed(self, t: Transforms) -> dict[str, str]:
        """Generated name in the output -> the name the overlay writes for it:
        kustomize adds the hash, and the overlay's prefix/suffix, itself."""
        return {hashed: t.original_name(plain) or plain for hashed, plain in self.hashed.items()}

    def _patches(self, t: Transforms, patches: Mapping[Ident, ObjectPatch],
                 deleted: list[Ident]) -> list[Patch]:
        result = []
        for ident in deleted:
            result.append(Patch(target=_target(ident, self.base_generated),
                                strategic_merge={"$patch": "delete"},
                                by_id=True))
        for ident, patch in patches.items():
            smp = patch.strategic
            ops = patch.operations
            if self.hashed:
                unhashed = self._unhashed(t)
                smp = rewrite_strings(smp, unhashed) if smp else smp
                ops = rewrite_strings(ops, unhashed)
            if smp:
                result.append(Patch(target=_target(ident, self.base_generated), strategic_merge=smp,
                                    by_id=True))
            if patch.rename:
                # After the strategic merge (which finds the object by its old
                # name), one operation renames it; its target is the shortest
                # that selects only this object.
                comments = [None, *(patch.comments or [None] * len(ops))]
                result.append(Patch(target=self._short_target(ident),
                                    json6902=[_rename_op(patch.rename), *ops],
                                    comments=comments if any(comments) else None))
            elif ops:
                result.append(Patch(target=_target(ident, self.base_generated), json6902=ops,
                                    comments=patch.comments or None))
        return result

    def _short_target(self, ident: Ident) -> PatchTarget:
        """Kind and name, plus namespace or group/version only where another
        object of the build shares the kind and name."""
        full = _target(ident, self.base_generated)
        others = [i for i in {*self.start_ids, *(_ident(o) for o in self.desired)}
                  if i != ident and i[1] == ident[1] and i[3] == ident[3]]
        namespaced = any(i[2] != ident[2] for i in others)
        versioned = any(i[2] == ident[2] and i[0] != ident[0] for i in others)
        return PatchTarget(
            kind=full.kind, name=full.name,
            namespace=full.namespace if namespaced else None,
            group=full.group if versioned else None,
            version=full.version if versioned else None,
        )

    def _wrong(self, rendered: list[dict[str, Any]]) -> set[Ident]:
        """Ids whose rendered object differs from the desired one (or is missing/extra)."""
        got = {_ident(o): yamlio.dump(o) for o in rendered}
        want = {_ident(o): yamlio.dump(o) for o in self.desired}
        wrong = {i for i in want if got.get(i) != want[i]}
        wrong |= {i for i in got if i not in want and i not in self.generated}
        return wrong

    # -- the search ---------------------------------------------------------------------

    def plan(self) -> Plan:
        empty = Transforms()
        bare = self.bare(empty)
        best = None
        if not self.request.component and bare is not None:
            # Usually every proposal holds: try them together first (one render).
            combined = empty
            for proposal in self._proposals(empty, bare):
                combined = _combine(combined, proposal)
            if combined != empty:
                best = self.attempt(combined)
                if best is not None and best.notes:
                    best = None  # exact only by the fallback: try the fields one by one
        if best is None:
            best = self.attempt(empty, bare)
            if best is None:
                raise PlanError(
                    "no overlay renders exactly the objects described",
                    obj=f"environment {self.request.name}",
                )
            if not self.request.component:
                for make in self._makers():
                    for candidate in make(best.transforms, best.bare):
                        tried = self.attempt(candidate)
                        # Exact: kustomize's own field says it best, unless only the
                        # whole-field fallback made it exact.
                        if tried is not None and (not tried.notes or best.notes):
                            best = tried
                            break
        best.notes[:0] = self.notes
        for note in best.notes:
            warnings.warn(f"environment {self.request.name}: {note}", PlanWarning, stacklevel=3)
        return Plan(best.overlay, best.objects, best.notes)

    def _makers(self) -> list[Callable[[Transforms, list[dict[str, Any]]], list[Transforms]]]:
        return [self._namespace, self._base_namespaces, self._names, self._labels,
                self._annotations, self._metadata_annotations, self._images, self._replicas]

    def _metadata_annotations(self, t: Transforms, bare: list[dict[str, Any]]
                              ) -> list[Transforms]:
        found = tf.metadata_annotation_candidate(self.desired, self._pairs(bare), self.start, t)
        return [found] if found else []

    def _base_namespaces(self, t: Transforms, bare: list[dict[str, Any]]) -> list[Transforms]:
        desired_ids = {_ident(o) for o in self.desired}
        if len(self.request.bases) < 2 or all(i in desired_ids for i in self.start_ids):
            return []
        found = tf.base_namespace_candidate(self.desired, self.start_ids, self._origins(), t)
        return [found] if found else []

    def _origins(self) -> dict[Ident, str]:
        """The base each object of the start comes from (each base rendered alone)."""
        if self.origins is None:
            self.origins = {}
            for base in self.request.bases:
                alone = Overlay(name=self.request.name, bases=[base])
                for obj in _render(alone, self.local_files):
                    self.origins.setdefault(_ident(obj), base.name)
        return self.origins

    def _proposals(self, t: Transforms, bare: list[dict[str, Any]]) -> list[Transforms]:
        return [found for make in self._makers() for found in make(t, bare)]

    def _pairs(self, bare: list[dict[str, Any]]) -> tf.Pairs:
        want = {_ident(o): o for o in self.desired}
        return [(o, want[_ident(o)]) for o in bare if _ident(o) in want]

    def _namespace(self, t: Transforms, bare: list[dict[str, Any]]) -> list[Transforms]:
        found = tf.namespace_candidate(self.desired, self.start_ids, t)
        return [found] if found else []

    def _names(self, t: Transforms, bare: list[dict[str, Any]]) -> list[Transforms]:
        return tf.name_candidates(self.desired, self.start_ids, t)

    def _labels(self, t: Transforms, bare: list[dict[str, Any]]) -> list[Transforms]:
        found = tf.label_candidate(self.desired, self._pairs(bare), t)
        return [found] if found else []

    def _annotations(self, t: Transforms, bare: list[dict[str, Any]]) -> list[Transforms]:
        found = tf.annotation_candidate(self.desired, self._pairs(bare), t)
        return [found] if found else []

    def _images(self, t: Transforms, bare: list[dict[str, Any]]) -> list[Transforms]:
        found = tf.image_candidate(self._pairs(bare), t, self.desired)
        return [found] if found else []

    def _replicas(self, t: Transforms, bare: list[dict[str, Any]]) -> list[Transforms]:
        want = {_ident(o): o for o in self.desired}
        rendered = {_ident(o): o for o in bare}
        rows = []
        for ident in self.start_ids:
            final = t.ident(ident)
            if final in rendered:
                rows.append((ident[3], rendered[final], want.get(final)))
        found = tf.replica_candidate(rows, t)
        return [found] if found else []


def _combine(a: Transforms, b: Transforms) -> Transforms:
    """``a`` with every field ``b`` sets (proposals set different fields)."""
    changes = {f.name: getattr(b, f.name) for f in fields(Transforms)
               if getattr(b, f.name) != getattr(Transforms(), f.name)}
    return dataclass_replace(a, **changes)


_G = TypeVar("_G", ConfigMapGenerator, SecretGenerator)


def _renamed(generators: Sequence[_G], t: Transforms) -> list[_G]:
    """The environment's generators as the overlay writes them: kustomize adds
    the overlay's namePrefix/nameSuffix to generated names too."""
    return [dataclass_replace(g, name=t.original_name(g.name) or g.name)
            if t.name_prefix or t.name_suffix else g for g in generators]


def _renames(t: Transforms, placed: Mapping[Ident, Ident], want: Mapping[Ident, Any],
             current: Mapping[Ident, dict[str, Any]], info: Any) -> dict[Ident, Ident]:
    """Objects the environment renamed (final ids): of one apiVersion, kind and
    namespace, objects gone paired with objects new, each pair the one whose
    patch is smallest (then the closest names), as long as the patch stays
    under half the object; the rest are removals and additions."""
    gone = [final for final in placed if final not in want and final[1] != "Namespace"]
    new = [ident for ident in want if ident not in placed and t.original_name(ident[3])]
    found: dict[Ident, Ident] = {}
    for group in sorted({final[:3] for final in gone}):
        old_ones = [final for final in gone if final[:3] == group and final in current]
        new_ones = [ident for ident in new if ident[:3] == group]
        if len(old_ones) == 1 and len(new_ones) == 1:
            found[old_ones[0]] = new_ones[0]
            continue
        costs = []
        for old in old_ones:
            for ident in new_ones:
                source = {**current[old], "metadata": {**current[old]["metadata"],
                                                       "name": ident[3]}}
                lines = _patch_lines(object_patch(source, want[ident], info))
                if lines * 2 <= _lines(yamlio.dump(want[ident])):
                    closeness = -difflib.SequenceMatcher(None, old[3], ident[3]).ratio()
                    costs.append((lines, closeness, old, ident))
        paired: set[Ident] = set()
        for _, _, old, ident in sorted(costs):
            if old not in found and ident not in paired:
                found[old] = ident
                paired.add(ident)
    return found


def _rename_op(name: str) -> dict[str, Any]:
    return {"op": "replace", "path": "/metadata/name", "value": name}


def _patch_lines(patch: ObjectPatch) -> int:
    lines = _lines(yamlio.dump(patch.strategic)) if patch.strategic else 0
    return lines + (_lines(yamlio.dump_list(patch.operations)) if patch.operations else 0)


def _as_printed(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as kubectl prints it: an empty ``metadata.annotations`` is dropped."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and meta.get("annotations") == {}:
        return {**obj, "metadata": {k: v for k, v in meta.items() if k != "annotations"}}
    return obj


def _overlay_size(planned: Overlay | Component) -> int:
    from kustgen.layout import layout_directory

    return sum(_lines(text) for text in layout_directory(planned).values())


def plan_overlay(request: Request) -> Plan:
    """The smallest overlay found that renders exactly ``request.desired``."""
    return _Planner(request).plan()
