"""Runtime base of kustgen's typed Kubernetes models.

The classes in :mod:`kustgen.k8s` (and modules generated from CRDs) are written
out in full by :mod:`kustgen.codegen`: ``__slots__``, annotations, a keyword-only
``__init__`` and a class-level field table ``__kustgen_fields__``.  They are not
decorated with :func:`dataclasses.dataclass` at import time (that alone costs
hundreds of milliseconds for the whole API), yet they behave like dataclasses:
``dataclasses.is_dataclass``, ``fields`` and ``replace`` work, because
``__dataclass_fields__`` is computed on first access.

Each field table entry is a constant tuple::

    (python_name, wire_name, type_spec, required, merge)

``merge`` is ``None`` or ``(patch_strategy, patch_merge_key, list_type,
list_map_keys)`` taken from the OpenAPI ``x-kubernetes-*`` extensions.
``type_spec`` is a small string language, resolved lazily on first use:

* ``str``, ``int``, ``float``, ``bool``, ``Quantity``, ``IntOrString``,
  ``object`` (a free-form ``dict[str, Any]``), ``any`` (any JSON value);
* ``list[T]`` and ``dict[T]`` (a map with string keys and values ``T``);
* ``module:Class`` for a model class, ``:Class`` for a class of the same module.

This module owns all object <-> dict conversion (:func:`to_dict`,
:func:`from_dict`) and the strategic-merge metadata lookup
(:func:`list_merge_info`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from kustgen.errors import InputError

if TYPE_CHECKING:
    import dataclasses
    from types import ModuleType

__all__ = [
    "FieldInfo",
    "IntOrString",
    "ListMergeInfo",
    "Model",
    "Quantity",
    "Resource",
    "from_dict",
    "list_merge_info",
    "lookup_class",
    "model_fields",
    "replace",
    "to_dict",
]

#: A Kubernetes resource quantity: ``"500m"``, ``"1Gi"``, ``2`` or ``0.5``.
Quantity = str | int | float
#: A port or percentage that may be given as a number or a name: ``8080``, ``"http"``, ``"25%"``.
IntOrString = int | str

MergeRow = tuple[str | None, str | None, str | None, tuple[str, ...] | None]
#: One row of ``__kustgen_fields__``: python name, wire name, type spec, required, merge.
FieldRow = tuple[str, str, str, bool, MergeRow | None]

M = TypeVar("M", bound="Model")
R = TypeVar("R", bound="Resource")

_Converter = Callable[[Any], Any]


# --------------------------------------------------------------------------- base classes


class _ModelMeta(type):
    """Metaclass that supplies ``__dataclass_fields__`` lazily."""

    def __getattr__(cls, name: str) -> Any:
        if name == "__dataclass_fields__":
            dc_fields = _dataclass_fields(cls)
            type.__setattr__(cls, "__dataclass_fields__", dc_fields)
            return dc_fields
        raise AttributeError(name)


class Model(metaclass=_ModelMeta):
    """Base of every generated Kubernetes type."""

    __slots__ = ()
    __kustgen_fields__: ClassVar[tuple[FieldRow, ...]] = ()

    def __init__(self) -> None:  # pragma: no cover - generated classes override it
        pass

    def __getattr__(self, name: str) -> Any:
        # Instance access to ``__dataclass_fields__`` (``dataclasses.fields(obj)``).
        if name == "__dataclass_fields__":
            return getattr(type(self), name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in _names(type(self)))

    __hash__ = None  # type: ignore[assignment]  # mutable, like a non-frozen dataclass

    def __repr__(self) -> str:
        parts = []
        for n in _names(type(self)):
            v = getattr(self, n)
            if v is not None:
                parts.append(f"{n}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class Resource(Model):
    """Base of top-level kinds; ``apiVersion`` and ``kind`` come from the class."""

    __slots__ = ()
    api_version: ClassVar[str] = ""
    kind: ClassVar[str] = ""


# --------------------------------------------------------------------------- field metadata


class ListMergeInfo:
    """Strategic-merge metadata of one field (``None`` where the schema says nothing)."""

    __slots__ = ("list_map_keys", "list_type", "merge_key", "patch_strategy")

    patch_strategy: str | None
    merge_key: str | None
    list_type: str | None
    list_map_keys: tuple[str, ...] | None

    def __init__(
        self,
        patch_strategy: str | None = None,
        merge_key: str | None = None,
        list_type: str | None = None,
        list_map_keys: tuple[str, ...] | None = None,
    ) -> None:
        object.__setattr__(self, "patch_strategy", patch_strategy)
        object.__setattr__(self, "merge_key", merge_key)
        object.__setattr__(self, "list_type", list_type)
        object.__setattr__(self, "list_map_keys", list_map_keys)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("ListMergeInfo is frozen")

    def _key(self) -> tuple[Any, ...]:
        return (self.patch_strategy, self.merge_key, self.list_type, self.list_map_keys)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ListMergeInfo):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"ListMergeInfo(patch_strategy={self.patch_strategy!r}, merge_key={self.merge_key!r}, "
            f"list_type={self.list_type!r}, list_map_keys={self.list_map_keys!r})"
        )


_NO_MERGE_INFO = ListMergeInfo()


class FieldInfo:
    """One entry of a model's field table, in readable form."""

    __slots__ = ("merge", "name", "required", "type_spec", "wire_name")

    def __init__(
        self, name: str, wire_name: str, type_spec: str, required: bool, merge: ListMergeInfo
    ) -> None:
        self.name = name
        self.wire_name = wire_name
        self.type_spec = type_spec
        self.required = required
        self.merge = merge

    def __repr__(self) -> str:
        return (
            f"FieldInfo(name={self.name!r}, wire_name={self.wire_name!r}, "
            f"type_spec={self.type_spec!r}, required={self.required!r}, merge={self.merge!r})"
        )


class _ClassInfo:
    """Everything derived from a class's field table, computed once per class."""

    __slots__ = ("by_wire", "dumper", "fields", "loader", "names", "required")

    def __init__(self, cls: type[Model]) -> None:
        fields = []
        for name, wire, spec, required, merge in cls.__kustgen_fields__:
            info = ListMergeInfo(*merge) if merge else _NO_MERGE_INFO
            fields.append(FieldInfo(name, wire, spec, required, info))
        self.fields: tuple[FieldInfo, ...] = tuple(fields)
        self.names: tuple[str, ...] = tuple(f.name for f in fields)
        self.by_wire: dict[str, FieldInfo] = {f.wire_name: f for f in fields}
        self.required: tuple[FieldInfo, ...] = tuple(f for f in fields if f.required)
        self.dumper: _Converter | None = None
        self.loader: _Converter | None = None


def _info(cls: type[Model]) -> _ClassInfo:
    info = cls.__dict__.get("_kustgen_info_")
    if info is None:
        info = _ClassInfo(cls)
        type.__setattr__(cls, "_kustgen_info_", info)
    return cast(_ClassInfo, info)


def _names(cls: type[Model]) -> tuple[str, ...]:
    return _info(cls).names


def model_fields(cls_or_obj: type[Model] | Model) -> tuple[FieldInfo, ...]:
    """The field table of a model class (or of an instance's class)."""
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    return _info(cls).fields


def _dataclass_fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    import dataclasses

    if not issubclass(cls, Model):  # pragma: no cover - only Model uses the metaclass
        raise AttributeError("__dataclass_fields__")
    annotations = {}
    for klass in reversed(cls.__mro__):
        annotations.update(vars(klass).get("__annotations__", {}))
    result: dict[str, dataclasses.Field[Any]] = {}
    for f in _info(cls).fields:
        metadata = {
            "wire_name": f.wire_name,
            "type_spec": f.type_spec,
            "patch_strategy": f.merge.patch_strategy,
            "patch_merge_key": f.merge.merge_key,
            "list_type": f.merge.list_type,
            "list_map_keys": f.merge.list_map_keys,
        }
        if f.required:
            dc_field: dataclasses.Field[Any] = dataclasses.field(kw_only=True, metadata=metadata)
        else:
            dc_field = dataclasses.field(default=cast(Any, None), kw_only=True, metadata=metadata)
        dc_field.name = f.name
        dc_field.type = annotations.get(f.name, "Any")
        dc_field._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        result[f.name] = dc_field
    return result


def replace(obj: M, /, **changes: Any) -> M:
    """A copy of ``obj`` with some fields changed (like :func:`dataclasses.replace`)."""
    values = {n: getattr(obj, n) for n in _names(type(obj))}
    values.update(changes)
    return type(obj)(**values)


# --------------------------------------------------------------------------- type specs


def _resolve_class(spec: str, owner: type[Model]) -> type[Model]:
    module_name, _, class_name = spec.partition(":")
    module = sys.modules.get(module_name or owner.__module__)
    if module is None:
        import importlib

        module = importlib.import_module(module_name)
    return cast("type[Model]", getattr(module, class_name))


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _wrong(expected: str, value: Any) -> InputError:
    return InputError(f"expected {expected}, got {_describe(value)}")


def _key_segment(key: str) -> str:
    if key and all(c.isalnum() or c in "_-" for c in key):
        return key
    return "[" + repr(key) + "]"


def _split_spec(spec: str) -> tuple[str, str | None]:
    """``list[X]`` -> ("list", "X"); ``dict[X]`` -> ("dict", "X"); else (spec, None)."""
    if spec.endswith("]"):
        if spec.startswith("list["):
            return "list", spec[5:-1]
        if spec.startswith("dict["):
            return "dict", spec[5:-1]
    return spec, None


# ---- to_dict converters ----


def _dump_str(v: Any) -> Any:
    if type(v) is str:
        return v
    if isinstance(v, str):
        return str.__str__(v)
    raise _wrong("a string", v)


def _dump_int(v: Any) -> Any:
    if type(v) is int:
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return int(v)
    raise _wrong("an integer", v)


def _dump_float(v: Any) -> Any:
    t = type(v)
    if t is float or t is int:
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    raise _wrong("a number", v)


def _dump_bool(v: Any) -> Any:
    if type(v) is bool:
        return v
    raise _wrong("a boolean", v)


def _dump_quantity(v: Any) -> Any:
    t = type(v)
    if t is str or t is int or t is float:
        return v
    if isinstance(v, bool):
        raise _wrong("a quantity (string or number)", v)
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, int | float):
        return v
    raise _wrong("a quantity (string or number)", v)


def _dump_int_or_string(v: Any) -> Any:
    t = type(v)
    if t is int or t is str:
        return v
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return int(v)
    raise _wrong("an integer or a string", v)


def _dump_any(v: Any) -> Any:
    """Free-form JSON value: plain data, models allowed inside."""
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None:
        return v
    if isinstance(v, dict):
        out = {}
        for k, item in v.items():
            if not isinstance(k, str):
                raise InputError(f"map keys must be strings, got {_describe(k)}")
            try:
                out[k] = _dump_any(item)
            except InputError as e:
                raise e.at(field_prefix=_key_segment(k)) from None
        return out
    if isinstance(v, list | tuple):
        items = []
        for i, item in enumerate(v):
            try:
                items.append(_dump_any(item))
            except InputError as e:
                raise e.at(field_prefix=f"[{i}]") from None
        return items
    if isinstance(v, Model):
        return _dumper(type(v))(v)
    if isinstance(v, str | int | float):
        return v
    raise _wrong("a JSON value (mapping, list, string, number, boolean)", v)


def _dump_object(v: Any) -> Any:
    if not isinstance(v, dict):
        raise _wrong("a mapping", v)
    return _dump_any(v)


_DUMP_SCALARS: dict[str, _Converter] = {
    "str": _dump_str,
    "int": _dump_int,
    "float": _dump_float,
    "bool": _dump_bool,
    "Quantity": _dump_quantity,
    "IntOrString": _dump_int_or_string,
    "object": _dump_object,
    "any": _dump_any,
}


def _list_converter(item_conv: _Converter, is_list: Callable[[Any], bool]) -> _Converter:
    """Convert every item; an error names the item's index."""

    def convert_list(v: Any) -> Any:
        if not is_list(v):
            raise _wrong("a list", v)
        out = []
        for i, item in enumerate(v):
            try:
                out.append(item_conv(item))
            except InputError as e:
                raise e.at(field_prefix=f"[{i}]") from None
        return out

    return convert_list


def _map_converter(item_conv: _Converter, is_map: Callable[[Any], bool]) -> _Converter:
    """Convert every value of a string-keyed map; an error names the key."""

    def convert_map(v: Any) -> Any:
        if not is_map(v):
            raise _wrong("a mapping", v)
        out = {}
        for k, item in v.items():
            if type(k) is not str:
                raise InputError(f"map keys must be strings, got {_describe(k)}")
            try:
                out[k] = item_conv(item)
            except InputError as e:
                raise e.at(field_prefix=_key_segment(k)) from None
        return out

    return convert_map


def _dump_converter(spec: str, owner: type[Model]) -> _Converter:
    scalar = _DUMP_SCALARS.get(spec)
    if scalar is not None:
        return scalar
    outer, inner = _split_spec(spec)
    if inner is not None:
        item_conv = _dump_converter(inner, owner)
        if outer == "list":
            # Models may hold tuples; they are written as lists.
            return _list_converter(item_conv, lambda v: isinstance(v, list | tuple))
        return _map_converter(item_conv, lambda v: isinstance(v, dict))

    resolved: list[Any] = []

    def dump_model(v: Any) -> Any:
        if not resolved:
            target = _resolve_class(spec, owner)
            resolved[:] = [target, _dumper(target)]
        target, dump = resolved
        if type(v) is not target and not isinstance(v, target):
            if isinstance(v, Model):
                raise InputError(f"expected {target.__name__}, got {type(v).__name__}")
            raise _wrong(target.__name__, v)
        return dump(v)

    return dump_model


def _dumper(cls: type[Model]) -> _Converter:
    info = _info(cls)
    if info.dumper is not None:
        return info.dumper
    plan = tuple((f.name, f.wire_name, _dump_converter(f.type_spec, cls)) for f in info.fields)
    head: tuple[tuple[str, str], ...] = ()
    if issubclass(cls, Resource):
        head = (("apiVersion", cls.api_version), ("kind", cls.kind))

    def dump(obj: Any) -> dict[str, Any]:
        out = dict(head)
        for name, wire, conv in plan:
            v = getattr(obj, name)
            if v is not None:
                try:
                    out[wire] = conv(v)
                except InputError as e:
                    raise e.at(field_prefix=wire) from None
        return out

    info.dumper = dump
    return dump


def _object_label(kind: str, metadata: Any) -> str:
    name = metadata.get("name") if isinstance(metadata, dict) else getattr(metadata, "name", None)
    return f"{kind}/{name}" if isinstance(name, str) and name else kind


def to_dict(obj: Model) -> dict[str, Any]:
    """Plain dict of ``obj`` with wire names, ready for YAML.

    ``None`` fields are left out; every value that was set is written, even if it
    equals the server-side default.  Types are checked on the way; a mistake
    raises :class:`InputError` naming the object and the field path.
    """
    cls = type(obj)
    if not isinstance(obj, Model):
        raise InputError(f"expected a kustgen model object, got {_describe(obj)}")
    try:
        return cast("dict[str, Any]", _dumper(cls)(obj))
    except InputError as e:
        if isinstance(obj, Resource):
            label = _object_label(cls.kind, getattr(obj, "metadata", None))
        else:
            label = cls.__name__
        raise e.at(obj=label) from None


# ---- from_dict converters ----


def _load_str(v: Any) -> Any:
    if type(v) is str:
        return v
    raise _wrong("a string", v)


def _load_int(v: Any) -> Any:
    if type(v) is int:
        return v
    raise _wrong("an integer", v)


def _load_float(v: Any) -> Any:
    t = type(v)
    if t is float or t is int:
        return v
    raise _wrong("a number", v)


def _load_bool(v: Any) -> Any:
    if type(v) is bool:
        return v
    raise _wrong("a boolean", v)


def _load_quantity(v: Any) -> Any:
    t = type(v)
    if t is str or t is int or t is float:
        return v
    raise _wrong("a quantity (string or number)", v)


def _load_int_or_string(v: Any) -> Any:
    t = type(v)
    if t is int or t is str:
        return v
    raise _wrong("an integer or a string", v)


def _load_any(v: Any) -> Any:
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None:
        return v
    if t is dict:
        out = {}
        for k, item in v.items():
            if type(k) is not str:
                raise InputError(f"map keys must be strings, got {_describe(k)}")
            try:
                out[k] = _load_any(item)
            except InputError as e:
                raise e.at(field_prefix=_key_segment(k)) from None
        return out
    if t is list:
        items = []
        for i, item in enumerate(v):
            try:
                items.append(_load_any(item))
            except InputError as e:
                raise e.at(field_prefix=f"[{i}]") from None
        return items
    raise _wrong("a JSON value (mapping, list, string, number, boolean)", v)


def _load_object(v: Any) -> Any:
    if type(v) is not dict:
        raise _wrong("a mapping", v)
    return _load_any(v)


_LOAD_SCALARS: dict[str, _Converter] = {
    "str": _load_str,
    "int": _load_int,
    "float": _load_float,
    "bool": _load_bool,
    "Quantity": _load_quantity,
    "IntOrString": _load_int_or_string,
    "object": _load_object,
    "any": _load_any,
}


def _load_converter(spec: str, owner: type[Model]) -> _Converter:
    scalar = _LOAD_SCALARS.get(spec)
    if scalar is not None:
        return scalar
    outer, inner = _split_spec(spec)
    if inner is not None:
        item_conv = _load_converter(inner, owner)
        if outer == "list":
            return _list_converter(item_conv, lambda v: type(v) is list)
        return _map_converter(item_conv, lambda v: type(v) is dict)

    resolved: list[_Converter] = []

    def load_model(v: Any) -> Any:
        if not resolved:
            resolved.append(_loader(_resolve_class(spec, owner)))
        return resolved[0](v)

    return load_model


def _unknown_field(key: Any, known: Iterable[str]) -> InputError:
    if not isinstance(key, str):
        return InputError(f"field names must be strings, got {_describe(key)}")
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return InputError(f"unknown field{hint}", field=_key_segment(key))


def _loader(cls: type[Model]) -> _Converter:
    info = _info(cls)
    if info.loader is not None:
        return info.loader
    plan = {f.wire_name: (f.name, _load_converter(f.type_spec, cls)) for f in info.fields}
    required = tuple((f.name, f.wire_name) for f in info.required)
    is_resource = issubclass(cls, Resource)
    expected_head: dict[str, str] = {}
    if is_resource:
        resource_cls = cast("type[Resource]", cls)
        expected_head = {"apiVersion": resource_cls.api_version, "kind": resource_cls.kind}
    new = cls.__new__
    names = info.names

    def load(data: Any) -> Any:
        if type(data) is not dict:
            raise _wrong(f"a mapping ({cls.__name__})", data)
        values: dict[str, Any] = {}
        for key, v in data.items():
            entry = plan.get(key)
            if entry is None:
                if key in expected_head:
                    if v != expected_head[key]:
                        raise InputError(
                            f"expected {expected_head[key]!r}, got {_describe(v)}", field=key
                        )
                    continue
                raise _unknown_field(key, plan)
            if v is None:
                continue
            name, conv = entry
            try:
                values[name] = conv(v)
            except InputError as e:
                raise e.at(field_prefix=key) from None
        for name, wire in required:
            if name not in values:
                raise InputError("required field is missing", field=wire)
        obj = new(cls)
        for name in names:
            object.__setattr__(obj, name, values.get(name))
        return obj

    info.loader = load
    return load


def _index_lookup(api_version: str, kind: str) -> type[Resource] | None:
    from kustgen.k8s._index import INDEX

    target = INDEX.get((api_version, kind))
    if target is None:
        return None
    import importlib

    module = sys.modules.get(target[0]) or importlib.import_module(target[0])
    return cast("type[Resource]", getattr(module, target[1]))


def lookup_class(
    api_version: str, kind: str, types: Iterable[ModuleType | type[Resource]] = ()
) -> type[Resource] | None:
    """The model class for ``apiVersion``/``kind``, or ``None``.

    ``types`` are searched first: generated modules (their ``RESOURCES`` index,
    e.g. a module made by :func:`kustgen.codegen.import_crds`) or single
    :class:`Resource` classes.  Then the built-in Kubernetes API.
    """
    for t in types:
        if isinstance(t, type):
            if issubclass(t, Resource) and t.api_version == api_version and t.kind == kind:
                return t
            continue
        index = getattr(t, "RESOURCES", None)
        if isinstance(index, dict):
            found = index.get((api_version, kind))
            if found is not None:
                return cast("type[Resource]", found)
    return _index_lookup(api_version, kind)


def from_dict(
    data: Any,
    *,
    cls: type[M] | None = None,
    types: Iterable[ModuleType | type[Resource]] = (),
) -> Any:
    """Build a model object from plain data (as read from YAML).

    Without ``cls`` the class is chosen by ``apiVersion``/``kind`` (see
    :func:`lookup_class` for ``types``).  With ``cls`` the data is read as that
    class (``apiVersion``/``kind`` may then be left out).  Unknown fields, wrong
    types, missing required fields and unknown kinds raise :class:`InputError`.
    """
    types = tuple(types)
    if type(data) is not dict:
        raise _wrong("a mapping", data)
    api_version = data.get("apiVersion")
    kind = data.get("kind")
    label = _object_label(kind if isinstance(kind, str) else "?", data.get("metadata"))
    target: type[Model] | None = cls
    if target is None:
        if not isinstance(api_version, str) or not api_version:
            raise InputError("apiVersion is missing or not a string", obj=label)
        if not isinstance(kind, str) or not kind:
            raise InputError("kind is missing or not a string", obj=label)
        target = lookup_class(api_version, kind, types)
        if target is None:
            raise InputError(f"unknown apiVersion/kind {api_version}/{kind}", obj=label)
    elif issubclass(target, Resource):
        label = _object_label(target.kind, data.get("metadata"))
    else:
        label = target.__name__
    try:
        return _loader(target)(data)
    except InputError as e:
        raise e.at(obj=label) from None


# --------------------------------------------------------------------------- merge metadata


def _field_info_at(cls: type[Model], path: tuple[str, ...]) -> FieldInfo | None:
    current: type[Model] = cls
    found: FieldInfo | None = None
    for i, segment in enumerate(path):
        found = _info(current).by_wire.get(segment)
        if found is None:
            return None
        if i == len(path) - 1:
            break
        spec = found.type_spec
        _, inner = _split_spec(spec)
        while inner is not None:
            spec = inner
            _, inner = _split_spec(spec)
        if ":" not in spec:
            return None
        current = _resolve_class(spec, current)
    return found


_MERGE_CACHE: dict[tuple[type[Model], tuple[str, ...]], ListMergeInfo | None] = {}


def list_merge_info(
    api_version: str,
    kind: str,
    path: tuple[str, ...],
    types: Iterable[ModuleType | type[Resource]] = (),
) -> ListMergeInfo | None:
    """Strategic-merge metadata of the field reached from the resource by ``path``.

    ``path`` holds wire names without list indices, e.g.
    ``("spec", "template", "spec", "containers")``.  Returns ``None`` if the
    kind or the path is unknown; a known field without metadata gives a
    :class:`ListMergeInfo` whose attributes are all ``None``.
    """
    cls = lookup_class(api_version, kind, types)
    if cls is None or not path:
        return None
    key = (cls, tuple(path))
    try:
        return _MERGE_CACHE[key]
    except KeyError:
        pass
    found = _field_info_at(cls, key[1])
    result = found.merge if found is not None else None
    _MERGE_CACHE[key] = result
    return result
