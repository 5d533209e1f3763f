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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the planner and layers read the image rules without the renderer
    from kustgen.render.kustfile import Kustomization
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


class _Entries:
    """The ``images`` entries of one kustomization, applied to each image in order.

    kustomize applies entry after entry to every resource; each entry only
    looks at one container's current image, so applying all entries in order
    to each container in one walk gives the same result.  Entries whose name is
    a plain image name (``.`` being the only regex character, as in
    ``registry.example/app``) are looked up by the image's possible names
    instead of trying every entry on every container.
    """

    def __init__(self, entries: list[dict[str, str]]):
        self.entries = entries
        self.by_shape: dict[tuple[int, tuple[int, ...]], dict[str, list[int]]] = {}
        self.others: list[int] = []
        for index, entry in enumerate(entries):
            name = entry["name"]
            if set(name) & _REGEX_CHARS:
                self.others.append(index)
                continue
            dots = tuple(i for i, c in enumerate(name) if c == ".")
            table = self.by_shape.setdefault((len(name), dots), {})
            table.setdefault(_masked(name, dots), []).append(index)

    def candidates(self, image: str) -> list[int]:
        """Indexes of the entries that may match ``image`` (each is still tested)."""
        if not self.by_shape:
            return self.others
        ends = [i for i, c in enumerate(image) if c in ":@"] + [len(image)]
        found = set(self.others)
        for (length, dots), table in self.by_shape.items():
            if length in ends:
                found.update(table.get(_masked(image[:length], dots), ()))
        return sorted(found)

    def apply(self, image: str) -> str:
        after = 0  # entries before this one were applied already
        while True:
            for index in self.candidates(image):
                entry = self.entries[index]
                if index >= after and is_image_matched(image, entry["name"]):
                    # Later entries see the rewritten image, as in kustomize.
                    image, after = new_image(image, entry), index + 1
                    break
            else:
                return image


_REGEX_CHARS = set("^$*+?{}[]\\|()")


class ImageIndex:
    """Images looked up by the ``images`` entry names that match them (``is_image_matched``).

    A plain name (``.`` its only regex character) can only match an image
    that starts with it and goes on with ``:`` or ``@`` or ends: images are
    indexed by those prefixes, so a lookup does not test every image.
    """

    def __init__(self, images: list[str]):
        self.images = images
        self._prefixes: dict[int, list[tuple[str, str]]] = {}
        for image in images:
            for end in [i for i, c in enumerate(image) if c in ":@"] + [len(image)]:
                self._prefixes.setdefault(end, []).append((image[:end], image))
        self._by_shape: dict[tuple[int, tuple[int, ...]], dict[str, list[str]]] = {}

    def matching(self, name: str) -> list[str]:
        """Every image (with repeats, in order) that the entry ``name`` rewrites."""
        if set(name) & _REGEX_CHARS:
            return [image for image in self.images if is_image_matched(image, name)]
        shape = (len(name), tuple(i for i, c in enumerate(name) if c == "."))
        table = self._by_shape.get(shape)
        if table is None:
            table = self._by_shape[shape] = {}
            for prefix, image in self._prefixes.get(len(name), ()):
                table.setdefault(_masked(prefix, shape[1]), []).append(image)
        found = table.get(_masked(name, shape[1]), [])
        return [image for image in found if is_image_matched(image, name)]


def _masked(text: str, dots: tuple[int, ...]) -> str:
    if not dots:
        return text
    chars = list(text)
    for i in dots:
        chars[i] = "."
    return "".join(chars)


def _walk(node: Any, entries: _Entries) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, entries)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _CONTAINER_LISTS and isinstance(value, list):
            for container in value:
                image = container.get("image") if isinstance(container, dict) else None
                if isinstance(image, str):
                    changed = entries.apply(image)
                    if changed != image:
                        container["image"] = changed
        _walk(value, entries)


def run_images(k: Kustomization, resmap: ResMap) -> None:
    from kustgen.render.kustfile import check_string

    entries = []
    for i, raw in enumerate(k.list_field("images")):
        field = f"images[{i}]"
        if not isinstance(raw, dict) or set(raw) - _FIELDS or not raw.get("name"):
            raise k.error("needs name and optional newName/newTag/digest", field)
        entries.append({key: check_string(k.path, f"{field}.{key}", value)
                        for key, value in raw.items() if value is not None})
    if entries:
        table = _Entries(entries)
        for res in resmap:
            _walk(res.obj, table)
