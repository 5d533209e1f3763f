"""``namePrefix`` / ``nameSuffix``: rename every resource except Namespace
objects (FACTS §3.3), CustomResourceDefinitions and APIServices (kustomize
skips them: their names are fixed).  Earlier ids are kept so references can
follow (``namerefs``)."""

from __future__ import annotations

from kustgen.render.resmap import ResMap

_UNRENAMED = ("Namespace", "CustomResourceDefinition", "APIService")


def run_prefix_suffix(prefix: str, suffix: str, resmap: ResMap) -> None:
    if not prefix and not suffix:
        return
    for res in resmap:
        if res.kind in _UNRENAMED:
            continue
        res.set_name(f"{prefix}{res.name}{suffix}")
