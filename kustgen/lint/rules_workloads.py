"""Services and the pods they select; namespaces; images, requests and Secrets in the tree."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kustgen.lint.context import (
    Context,
    Hit,
    containers,
    name_of,
    namespace_of,
    spec,
)
from kustgen.render.scope import is_cluster_scoped

#: Namespaces every cluster has.
BUILT_IN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def _selected(ctx: Context, service: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Pod templates in the Service's namespace whose labels its selector matches."""
    selector = spec(service).get("selector") or {}
    return ctx.selected(namespace_of(service), selector)


def _selecting_services(ctx: Context) -> Iterator[Mapping[str, Any]]:
    for service in ctx.of_kind("Service", ""):
        if spec(service).get("selector") and spec(service).get("type") != "ExternalName":
            yield service


def selector_matches_nothing(ctx: Context) -> Iterator[Hit]:
    """service-selector: a Service selector that matches no pod template in its namespace."""
    for service in _selecting_services(ctx):
        if not _selected(ctx, service):
            pairs = ", ".join(f"{k}={v}" for k, v in sorted(spec(service)["selector"].items()))
            yield service, "spec.selector", (
                f"{pairs} matches no pod template in namespace {namespace_of(service) or 'default'}"
            )


def unknown_target_port(ctx: Context) -> Iterator[Hit]:
    """service-target-port: a named targetPort that no selected container declares."""
    for service in _selecting_services(ctx):
        templates = _selected(ctx, service)
        if not templates:
            continue
        names = {
            port.get("name")
            for template in templates
            for key in ("containers", "initContainers")
            for container in (template.get("spec") or {}).get(key) or []
            for port in container.get("ports") or []
        }
        for i, port in enumerate(spec(service).get("ports") or []):
            target = port.get("targetPort")
            if isinstance(target, str) and target not in names:
                yield service, f"spec.ports[{i}].targetPort", (
                    f"no container of the selected pods has a port named {target!r}"
                )


def unknown_namespace(ctx: Context) -> Iterator[Hit]:
    """namespace-unknown: a namespace neither in the environment nor declared external
    (by the cluster, or by a base or component the environment uses).

    A namespace an overlay, base or component sets with ``namespace=`` counts
    as declared: it names where the tree is deployed, and GitOps tools create
    that destination (Argo CD ``CreateNamespace=true``, Flux ``targetNamespace``).
    """
    known = {name_of(o) for o in ctx.of_kind("Namespace", "")}
    known |= BUILT_IN_NAMESPACES | ctx.external_namespaces()
    sources = [ctx.overlay, *ctx.overlay.bases, *ctx.overlay.components]
    known |= {source.namespace for source in sources if source.namespace}
    known |= set(ctx.overlay.base_namespaces.values())
    for obj in ctx.objects:
        namespace = namespace_of(obj)
        if namespace and namespace not in known and not is_cluster_scoped(str(obj.get("kind"))):
            yield obj, "metadata.namespace", (
                f"namespace {namespace!r} is neither defined in this environment nor declared "
                "in Cluster(external=External(namespaces=...))"
            )


def _tag_problem(image: str) -> str | None:
    if "@" in image:
        return None  # pinned by digest
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (means latest)"
    if last.rsplit(":", 1)[1] == "latest":
        return "uses the tag latest"
    return None


def image_tag(ctx: Context) -> Iterator[Hit]:
    """image-tag: an image without a tag or with ``latest`` (what runs changes under you)."""
    for obj in ctx.objects:
        for path, container in containers(obj):
            image = str(container.get("image", ""))
            problem = _tag_problem(image)
            if image and problem:
                yield obj, f"{path}.image", f"{image!r} {problem}; pin a version"


def no_requests(ctx: Context) -> Iterator[Hit]:
    """container-requests: a container without resource requests (scheduled blind)."""
    for obj in ctx.objects:
        for path, container in containers(obj):
            if not (container.get("resources") or {}).get("requests"):
                yield obj, f"{path}.resources.requests", (
                    f"container {container.get('name')!r} requests no cpu or memory"
                )
