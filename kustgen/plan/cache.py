"""Plans kept between runs, by content: a run that changed nothing plans nothing.

Planning an environment renders its bases (the objects the change function
starts from), then renders and checks candidate overlays until one renders
exactly the objects described.  With a cache active (``kustgen.usercache``:
the CLI's, in the user's cache directory) both results are kept:

* the bases rendered -- key: every path and byte of the tree they are
  rendered from -> the objects;
* the plan -- key: that tree, the environment's name, the objects described,
  and everything else of the request (generators, name references, files
  kept by hand, the bases' and components' own settings) -> the overlay and
  the objects it renders, with the planner's notes.

A plan read back is the plan the planner verified for exactly that input:
the key covers everything the planner reads, and kustgen's fingerprint (in
every key) covers the planner, the renderer and the YAML writer that did the
verifying.  An input that has no exact canonical form (an object kustgen
cannot compare by value) is planned afresh every time.  Plans are stored with
``pickle``, loaded back through an unpickler that makes nothing but kustgen's
own overlay types; the environment's bases and components are not stored but
referred to, and come back as the very objects of the request.
"""

from __future__ import annotations

import dataclasses
import io
import json
import pickle
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from kustgen.model import Model, to_dict
from kustgen.plan.request import Plan, PlanWarning, Request, plan_files
from kustgen.tree import Base, Component, Overlay
from kustgen.usercache import UserCache, active, tree_digest

#: The classes a stored plan may hold (besides plain data).
_ALLOWED = {
    ("kustgen.plan.request", "Plan"),
    *(("kustgen.tree", name) for name in ("Overlay", "Component", "Patch", "External")),
    *(("kustgen.kustomization", name) for name in (
        "AnnotationsTransformer", "ConfigMapGenerator", "FieldSpec", "File", "GeneratorOptions",
        "Image", "Label", "NameReference", "PatchTarget", "Replica", "SecretGenerator")),
}


class _Uncacheable(Exception):
    """An input without an exact canonical form: plan without the cache."""


def canonical(value: Any) -> Any:
    """``value`` as JSON-able data that differs whenever ``value`` does: exact
    types, dataclasses and models with their class, mappings as ordered pairs.
    Anything else (a function, an object compared by identity) raises
    ``_Uncacheable``."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is list or kind is tuple:
        return [kind.__name__, [canonical(item) for item in value]]
    if kind is dict:
        return ["dict", [[canonical(k), canonical(v)] for k, v in value.items()]]
    if isinstance(value, Model):
        return ["model", f"{kind.__module__}.{kind.__qualname__}", canonical(to_dict(value))]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [f"{kind.__module__}.{kind.__qualname__}",
                [[f.name, canonical(getattr(value, f.name))] for f in dataclasses.fields(value)]]
    raise _Uncacheable(kind.__qualname__)


def _plain_text(value: Any) -> str:
    """The exact text of plain data (what the planner compares): dicts with
    string keys, lists, tuples, strings, numbers, booleans and None, whose
    ``repr`` says every value and type."""
    if not _is_plain(value):
        raise _Uncacheable("not plain data")
    return repr(value)


def _is_plain(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _is_plain(v) for k, v in value.items())
    if kind is list or kind is tuple:
        return all(_is_plain(item) for item in value)
    return kind is str or kind is int or kind is float or kind is bool or value is None


def _settings(source: Base | Component) -> Any:
    """A base's or component's fields besides its objects (those are in the tree)."""
    return canonical([getattr(source, f.name) for f in dataclasses.fields(source)
                      if f.name != "objects"])


# -- the bases rendered ------------------------------------------------------------------

def start(name: str, bases: list[Base], components: list[Component],
          local_files: Mapping[str, str | bytes] = {}) -> tuple[list[dict[str, Any]], str]:
    """The objects an environment starts from (its bases and components,
    rendered) and the digest of the tree they were rendered from."""
    from kustgen.layout import overlay_dir

    overlay = Overlay(name=name, bases=bases, components=components)
    files = plan_files(overlay, local_files)
    directory = overlay_dir(overlay)
    digest = tree_digest(files)
    cache = active()
    key = cache.key("start", digest, directory) if cache is not None else ""
    if cache is not None:
        found = _objects(cache.read("renders", key))
        if found is not None:
            return found, digest
    from kustgen.render import render

    objects = render(files, directory)
    if cache is not None:
        cache.misses.append(f"start {name}")
        text = json.dumps(objects, separators=(",", ":"), ensure_ascii=False)
        if json.loads(text) == objects:  # JSON keeps every key and value as it is
            cache.write("renders", key, text)
    return objects, digest


def _objects(text: str | None) -> list[dict[str, Any]] | None:
    if text is None:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    if isinstance(found, list) and all(isinstance(obj, dict) for obj in found):
        return found
    return None


# -- the plan --------------------------------------------------------------------------

def _plan_key(cache: UserCache, request: Request, tree: str) -> str:
    parts = canonical([
        request.name, request.component,
        [_settings(base) for base in request.bases],
        [_settings(component) for component in request.components],
        request.config_maps, request.secrets, request.generator_options,
        request.name_references,
        sorted([path, text if isinstance(text, str) else ["bytes", text.hex()]]
               for path, text in request.local_files.items()),
    ])
    return cache.key("plan", tree, json.dumps(parts, ensure_ascii=False),
                     _plain_text(request.desired))


def plan(request: Request, tree: str) -> Plan:
    """``plan_overlay(request)``, from the cache when it planned exactly this
    before; ``tree`` is the digest ``start`` gave for the request's bases."""
    cache = active()
    key = None
    if cache is not None:
        try:
            key = _plan_key(cache, request, tree)
        except _Uncacheable:
            key = None
    if cache is not None and key is not None:
        found = _load(cache.read_bytes("plans", key), request)
        if found is not None:
            for note in found.notes:
                warnings.warn(f"environment {request.name}: {note}", PlanWarning, stacklevel=3)
            return found
    from kustgen.plan.planner import plan_overlay

    planned = plan_overlay(request)
    if cache is not None:
        cache.misses.append(f"plan {request.name}")
    if cache is not None and key is not None:
        data = _dump(planned, request)
        if data is not None:
            cache.write_bytes("plans", key, data)
    return planned


# -- stored plans --------------------------------------------------------------------------

def _shared(request: Request) -> list[Base | Component]:
    return [*request.bases, *request.components]


def _dump(planned: Plan, request: Request) -> bytes | None:
    """The plan as bytes, its bases and components by reference; None when it
    holds something a stored plan may not (it is then not stored)."""
    shared = {id(item): index for index, item in enumerate(_shared(request))}

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj: Any) -> Any:
            index = shared.get(id(obj))
            return index if index is not None and isinstance(obj, Base | Component) else None

    stream = io.BytesIO()
    try:
        Pickler(stream, protocol=5).dump(planned)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    data = stream.getvalue()
    return data if _load(data, request) == planned else None


def _load(data: bytes | None, request: Request) -> Plan | None:
    """The stored plan; None when it is missing, damaged or holds anything but
    kustgen's overlay types and plain data."""
    if data is None:
        return None
    shared: Sequence[Base | Component] = _shared(request)

    class Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) not in _ALLOWED:
                raise pickle.UnpicklingError(f"{module}.{name} is not a part of a plan")
            return super().find_class(module, name)

        def persistent_load(self, pid: Any) -> Any:
            if type(pid) is not int or not 0 <= pid < len(shared):
                raise pickle.UnpicklingError("not one of the request's bases or components")
            return shared[pid]

    try:
        found = Unpickler(io.BytesIO(data)).load()
    except Exception:  # any damage to an entry is a miss
        return None
    if not isinstance(found, Plan) or not isinstance(found.result, Overlay | Component):
        return None
    return found
