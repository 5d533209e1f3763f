"""Step 5 of `kustgen import`: bases and environment changes -> one Python module.

The module is what a person would write by hand: one function per base
(application), module constants for repeated label sets and long texts, one
change function per environment, and ``cluster`` at the end, so that
``kustgen build/render/validate --target MODULE:cluster`` work at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kustgen.imports.edits import EditWriter
from kustgen.imports.envdiff import EnvChanges
from kustgen.imports.group import Group
from kustgen.imports.kinds import Typing, exact_class
from kustgen.imports.pysource import Atom, Call, Commented, Expr, ListExpr, identifier, lines
from kustgen.imports.pysource import string as py_string
from kustgen.imports.read import SourceObject
from kustgen.imports.values import ValueWriter, count_label_sets

#: The overlay of an import without ``--env``.
DEFAULT_ENV = "default"


@dataclass
class ModuleSpec:
    """Everything the module is made of."""

    groups: Sequence[Group]
    typing: Typing
    cluster_name: str
    #: ``None`` for a plain import (one overlay holding every base).
    envs: Sequence[EnvChanges] | None
    #: The command line that made it, for the header.
    command: str
    #: Import aliases of generated CRD modules (module -> alias).
    module_aliases: dict[str, str]
    #: A docstring for the module instead of the general one.
    docstring: str | None = None
    #: Header comment lines instead of the general one.
    header: Sequence[str] | None = None
    #: Name of the function returning every base (instead of ``cluster``), for catalogs.
    install_function: str | None = None


class _Module:
    def __init__(self, spec: ModuleSpec) -> None:
        self.spec = spec
        every = [o.data for g in spec.groups for o in g.objects]
        for env in spec.envs or ():
            every += [o.data for o in env.added]
        self.values = ValueWriter(count_label_sets(every), spec.module_aliases)
        self.uses: set[str] = set()
        self._shipped: list[Any] | None = None

    # -- objects ----------------------------------------------------------------

    def object_expr(self, obj: SourceObject) -> Expr:
        data = obj.data
        hint = f"{data['kind']}_{data['metadata']['name']}"
        cls = self.spec.typing.class_of(data)
        self.values.hoist_texts = data["kind"] != "CustomResourceDefinition"
        if cls is not None:
            return self.values.resource(cls, data, hint)
        reason = self.spec.typing.untyped.get(id(data), "no typed class")
        return Commented(f"A plain mapping: {reason}.", self.values.plain(data, hint))

    def base_function(self, group: Group, name: str) -> list[str]:
        self.uses.add("Base")
        objects = ListExpr(tuple(self.object_expr(o) for o in group.objects))
        call = Call("Base", (("name", Atom(py_string(group.name))), ("objects", objects)))
        about = f" ({group.reason})" if group.reason else ""
        count = len(group.objects)
        doc = f"{group.name}{about}: {count} object{'s' if count != 1 else ''}."
        return [f"def {name}() -> Base:", f"    {_docstring(doc)}",
                *lines(call, "    ", "return ")]

    # -- environments -----------------------------------------------------------

    def _typed_at_change_time(self, data: dict[str, Any]) -> bool:
        """Whether the environment's change function sees ``data`` as a typed model."""
        if self._shipped is None:
            import importlib

            from kustgen.imports.kinds import SHIPPED_CRD_MODULES

            self._shipped = [importlib.import_module(m) for m in SHIPPED_CRD_MODULES]
        return exact_class(data, self._shipped)[0] is not None

    def _lookup(self, obj: SourceObject, typed: bool) -> str:
        meta = obj.data["metadata"]
        args = [py_string(meta["name"])]
        if meta.get("namespace"):
            args.append(py_string(meta["namespace"]))
        cls = self.spec.typing.class_of(obj.data)
        if typed and cls is not None:
            return f"objs.get({self.values.class_name(cls)}, {', '.join(args)})"
        return f"objs.get({', '.join([py_string(obj.data['kind']), *args])})"

    def change_function(self, env: EnvChanges, name: str) -> list[str]:
        self.uses.update({"Objects"})
        body: list[str] = []
        local: set[str] = {"objs"}
        for obj in env.removed:
            body.append(f"objs.remove({self._lookup(obj, False)})")
        for before, after in env.changed:
            var = identifier(f"{before.data['kind']}_{before.data['metadata']['name']}", local)
            hint = f"{before.data['kind']}_{before.data['metadata']['name']}"
            writer = EditWriter(self.values, var, hint)
            cls = self.spec.typing.class_of(before.data)
            if cls is not None and self._typed_at_change_time(before.data):
                if self.spec.typing.class_of(after.data) is not cls:
                    # The model cannot hold this version (e.g. a field it does not know):
                    # the change gives the whole object as a mapping.
                    reason = self.spec.typing.untyped.get(id(after.data), "another class")
                    body += lines(Commented(f"A plain mapping: {reason}.",
                                            self.values.plain(after.data, hint)),
                                  "", "objs.put(", ")")
                    continue
                body.append(f"{var} = {self._lookup(before, True)}")
                writer.model(var, False, cls, before.data, after.data, top=True)
            else:
                self.uses.update({"Any", "cast"})
                body.append(f'{var} = cast("dict[str, Any]", {self._lookup(before, False)})')
                writer.plain(var, False, before.data, after.data)
            body += writer.out
        for obj in env.added:
            body += lines(self.object_expr(obj), "", "objs.add(", ")")
        summary = (f"{len(env.changed)} changed, {len(env.added)} added, "
                   f"{len(env.removed)} removed")
        doc = f"{env.name}: what differs from the shared bases ({summary})."
        out = [f"def {name}(objs: Objects) -> None:", f"    {_docstring(doc)}"]
        return out + [f"    {line}" if line else "" for line in body]

    # -- the module -------------------------------------------------------------

    def _external(self) -> Expr | None:
        """What the objects use but do not define: namespaces and storage classes."""
        spec = self.spec
        objects = [o.data for g in spec.groups for o in g.objects]
        for env in spec.envs or ():
            objects += [o.data for o in env.added] + [after.data for _, after in env.changed]
        namespaces = {o["metadata"].get("namespace") for o in objects} - {None, ""}
        namespaces -= {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"}
        classes = {str(o.get("spec", {}).get("storageClassName")) for o in objects
                   if o["kind"] == "PersistentVolumeClaim"
                   and isinstance(o.get("spec", {}).get("storageClassName"), str)}
        classes -= {o["metadata"]["name"] for o in objects if o["kind"] == "StorageClass"}
        classes.discard("")
        args = []
        if namespaces:
            args.append(("namespaces", ListExpr(tuple(Atom(py_string(n))
                                                      for n in sorted(namespaces)))))
        if classes:
            args.append(("storage_classes", ListExpr(tuple(Atom(py_string(c))
                                                           for c in sorted(classes)))))
        if not args:
            return None
        self.uses.add("External")
        return Call("External", tuple(args))

    def _cluster(self, overlays: Expr) -> list[str]:
        args: list[tuple[str, Expr]] = [("name", Atom(py_string(self.spec.cluster_name))),
                                        ("overlays", overlays)]
        external = self._external()
        if external is not None:
            args.append(("external", external))
        return lines(Call("Cluster", tuple(args)), "", "cluster = ")

    def render(self) -> str:
        spec = self.spec
        taken = self.values.taken
        tail: list[str] = []
        if not spec.install_function:
            base_names = [identifier(g.name, taken) for g in spec.groups]
            blocks: list[list[str]] = [self.base_function(g, n)
                                       for g, n in zip(spec.groups, base_names, strict=True)]
            calls = ", ".join(f"{n}()" for n in base_names)
        if spec.install_function:
            self.uses.add("KubeObject")
            every = ListExpr(tuple(self.object_expr(o) for g in spec.groups for o in g.objects))
            blocks = [[f"def {spec.install_function}() -> list[KubeObject]:",
                       '    """Every object of the installation, in the upstream order."""',
                       *lines(every, "    ", "return ")]]
        elif spec.envs is None:
            self.uses.update({"Cluster", "Overlay"})
            overlay = Call("Overlay", (("name", Atom(py_string(DEFAULT_ENV))),
                                       ("bases", Atom(f"[{calls}]"))))
            tail += self._cluster(ListExpr((overlay,)))
        else:
            self.uses.update({"Cluster", "Environment"})
            tail.append(f"bases = [{calls}]")
            env_vars = []
            for env in spec.envs:
                fn = identifier(env.name, taken)
                blocks.append(self.change_function(env, fn))
                var = identifier(f"{env.name}_env", taken)
                env_vars.append(var)
                tail.append(f"{var} = Environment(name={py_string(env.name)}, bases=bases, "
                            f"change={fn})")
            overlays = ListExpr(tuple(Atom(f"{v}.overlay()") for v in env_vars))
            tail += self._cluster(overlays)
        return self._assemble(blocks, tail)

    def _assemble(self, blocks: list[list[str]], tail: list[str]) -> str:
        spec = self.spec
        out = [f"# {line}" if line else "#" for line in (spec.header or [
            f"Generated by `{spec.command}`.",
            "Comments in the input were dropped; this module is yours to edit from here on.",
        ])]
        out.append(_docstring(spec.docstring) if spec.docstring and "\n" not in spec.docstring
                   else f'"""{spec.docstring or _DOCSTRING}"""')
        out += ["", "from __future__ import annotations", ""]
        typing_names = sorted(n for n in ("Any", "cast") if n in self.uses)
        if typing_names:
            out += [f"from typing import {', '.join(typing_names)}", ""]
        kustgen_names = sorted(n for n in ("Base", "Cluster", "Environment", "External", "Objects",
                                         "Overlay")
                               if n in self.uses)
        imports = self.values.import_lines()
        if kustgen_names:
            imports.append(f"from kustgen import {', '.join(kustgen_names)}")
        if "KubeObject" in self.uses:
            imports.append("from kustgen.tree import KubeObject")
        for line in sorted(imports):
            head, _, names = line.partition(" import ")
            if len(line) <= 99 or "," not in names:
                out.append(line)
            else:
                out += [f"{head} import (", *(f"    {n}," for n in names.split(", ")), ")"]
        if self.values.constants:
            out += ["", "", *self.values.constants]
        for block in blocks:
            out += ["", "", *block]
        if tail:
            out += ["", "", *tail]
        return "\n".join(out) + "\n"


_DOCSTRING = """Kubernetes objects imported by `kustgen import`.

Comments in the input were dropped.  Each base is one application (by Helm
chart or app.kubernetes.io labels); `cluster` holds them, so that
`kustgen render`, `build` and `validate --target MODULE:cluster` work on it.
"""


def _docstring(text: str) -> str:
    quoted = py_string(text)
    return quoted if quoted[1:-1] != text or text.endswith('"') else f'"""{text}"""'


def emit_module(spec: ModuleSpec) -> str:
    return _Module(spec).render()
