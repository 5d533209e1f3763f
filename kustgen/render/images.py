"""``images``: rewrite container images (FACTS §3.1).

Like kustomize's legacy image filter, every ``containers`` and
``initContainers`` list anywhere in a resource is visited.  ``name`` is used
as kustomize uses it: as the start of a regular expression that must match
the whole image up to an optional ``:tag`` and ``@sha256:digest``, so ``busybox``
matches ``busybox:1`` but not ``docker.io/library/busybox``.  A new tag or
digest replaces both the old tag and digest.
"""

from __future__ import annotations

import re
from typing import Any

from kustgen.render.kustfile import Kustomization, check_string
from kustgen.render.resmap import ResMap

_CONTAINER_LISTS = ("containers", "initContainers")
_FIELDS = {"name", "newName", "newTag", "digest", "tagSuffix"}


def is_image_matched(image: str, name: str) -> bool:
    try:
        pattern = re.compile("^" + name + r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$")
    except re.error:
        return False
    return pattern.match(image) is not None


def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest), ignoring a ``host:port`` registry prefix."""
    slash = image.find("/")
    search = image[slash:] if slash > 0 else image
    offset = slash if slash > 0 else 0
    cut = search.find(":")
    if cut < 0:
        cut = search.find("@")
    if cut < 0:
        return image, "", ""
    name, rest = image[: offset + cut], image[offset + cut :]
    digest = ""
    at = rest.find("@")
    if at >= 0:
        digest, rest = rest[at + 1 :], rest[:at]
    return name, rest.removeprefix(":"), digest


def new_image(image: str, entry: dict[str, str]) -> str:
    name, tag, digest = split_image(image)
    if entry.get("newName"):
        name = entry["newName"]
    if entry.get("newTag") and entry.get("digest"):
        tag, digest = entry["newTag"], entry["digest"]
    elif entry.get("newTag"):
        tag, digest = entry["newTag"], ""
    elif entry.get("digest"):
        tag, digest = "", entry["digest"]
    if entry.get("tagSuffix"):
        tag += entry["tagSuffix"]
    return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _walk(node: Any, entry: dict[str, str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, entry)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _CONTAINER_LISTS and isinstance(value, list):
            for container in value:
                image = container.get("image") if isinstance(container, dict) else None
                if isinstance(image, str) and is_image_matched(image, entry["name"]):
                    container["image"] = new_image(image, entry)
        _walk(value, entry)


def run_images(k: Kustomization, resmap: ResMap) -> None:
    for i, raw in enumerate(k.list_field("images")):
        field = f"images[{i}]"
        if not isinstance(raw, dict) or set(raw) - _FIELDS or not raw.get("name"):
            raise k.error("needs name and optional newName/newTag/digest", field)
        entry = {key: check_string(k.path, f"{field}.{key}", value)
                 for key, value in raw.items() if value is not None}
        for res in resmap:
            _walk(res.obj, entry)
