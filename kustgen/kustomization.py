"""The kustomization file as one typed structure.

Field names mirror the YAML keys of Kustomize v5 (snake_case here, camelCase on
the wire) and only the current fields exist: there is deliberately no
``bases``, ``commonLabels``, ``patchesStrategicMerge``, ``patchesJson6902`` or
``vars``.  ``to_dict`` gives the plain mapping that is written as
``kustomization.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from kustgen.errors import InputError

KUSTOMIZATION_API_VERSION = "kustomize.config.k8s.io/v1beta1"
_FILE_STEM = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
#: What kustgen writes in a kustomization directory besides resource files.
_OWN_NAMES = ("kustomization.yaml", ".gitignore", "patches", "transformers", "configurations",
              "bases")
COMPONENT_API_VERSION = "kustomize.config.k8s.io/v1alpha1"


def _drop_none(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {key: value for key, value in pairs if value is not None}


@dataclass(kw_only=True)
class Label:
    """One entry of ``labels``: pairs added to every resource's metadata.

    ``include_selectors`` also writes them into selectors, which are immutable
    on live Deployments and StatefulSets, so it stays off unless asked for.
    """

    pairs: dict[str, str]
    include_selectors: bool | None = None
    include_templates: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            [
                ("pairs", dict(self.pairs)),
                ("includeSelectors", self.include_selectors),
                ("includeTemplates", self.include_templates),
            ]
        )


@dataclass(kw_only=True)
class Image:
    """One entry of ``images``: rewrite the image ``name`` wherever it is used."""

    name: str
    new_name: str | None = None
    new_tag: str | None = None
    digest: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            [
                ("name", self.name),
                ("newName", self.new_name),
                ("newTag", self.new_tag),
                ("digest", self.digest),
            ]
        )


@dataclass(kw_only=True)
class Replica:
    """One entry of ``replicas``: set the replica count of the workload ``name``."""

    name: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "count": self.count}


@dataclass(kw_only=True)
class PatchTarget:
    """Selects the resources a patch applies to (``name`` may be a regex)."""

    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    group: str | None = None
    version: str | None = None
    label_selector: str | None = None
    annotation_selector: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            [
                ("group", self.group),
                ("version", self.version),
                ("kind", self.kind),
                ("name", self.name),
                ("namespace", self.namespace),
                ("labelSelector", self.label_selector),
                ("annotationSelector", self.annotation_selector),
            ]
        )


@dataclass(kw_only=True)
class PatchRef:
    """One entry of ``patches`` as it appears in the file: a path (or the patch
    itself, inline) and a target."""

    path: str | None = None
    target: PatchTarget | None = None
    #: ``allowNameChange``/``allowKindChange``: a patch may rename its target.
    options: dict[str, bool] | None = None
    #: The patch text itself, instead of ``path``.
    patch: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            [
                ("path", self.path),
                ("patch", self.patch),
                ("target", self.target.to_dict() if self.target else None),
                ("options", dict(self.options) if self.options else None),
            ]
        )


@dataclass(kw_only=True)
class GeneratorOptions:
    """Options shared by the generators of one kustomization."""

    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    disable_name_suffix_hash: bool | None = None
    immutable: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            [
                ("labels", self.labels),
                ("annotations", self.annotations),
                ("disableNameSuffixHash", self.disable_name_suffix_hash),
                ("immutable", self.immutable),
            ]
        )


Behavior = Literal["create", "replace", "merge"]


@dataclass(frozen=True)
class File:
    """A file a generator reads, with its contents given in Python.

    kustgen writes it beside the ``kustomization.yaml`` that uses it (``path``
    is relative to that directory) and lists it as generated, so it is
    committed with the tree and ``build --check`` sees it drift.  ``key`` is
    the data key (default: the file name), as in kustomize's ``key=path``::

        ConfigMapGenerator(name="mosquitto", files=[File("mosquitto.conf", MOSQUITTO_CONF)])

    A plain string in ``files``/``envs`` instead names a file kept beside the
    kustomization by hand (a config file committed next to the tree, or a
    secret kept out of git), which kustgen reads but never writes.
    """

    path: str
    text: str
    key: str | None = None

    def __post_init__(self) -> None:
        where = f"file {self.path!r}"
        if not isinstance(self.path, str) or not isinstance(self.text, str):
            raise InputError("path and text must be strings", obj=where)
        parts = self.path.split("/")
        if (not self.path or self.path.startswith("/") or "\\" in self.path
                or any(part in ("", ".", "..") for part in parts)):
            raise InputError("must be a relative path below the kustomization directory "
                             "(no '..', '.', empty or absolute parts)", obj=where, field="path")
        if parts[0] in _OWN_NAMES or "=" in self.path:
            raise InputError(f"is a name kustgen writes itself ({', '.join(_OWN_NAMES)}), "
                             "or contains '='", obj=where, field="path")
        if self.key is not None and (not self.key or "=" in self.key):
            raise InputError("a key is not empty and has no '='", obj=where, field="key")

    @property
    def entry(self) -> str:
        """The ``files`` entry kustomize reads: ``key=path`` or ``path``."""
        return f"{self.key}={self.path}" if self.key else self.path


#: A ``files``/``envs`` entry: a path kept by hand, or a file kustgen writes.
Source = str | File


def _entries(sources: list[Source] | None, files: bool) -> list[str] | None:
    if sources is None:
        return None
    return [s if isinstance(s, str) else s.entry if files else s.path for s in sources]


def _hand_kept_path(entry: str) -> str:
    key, sep, path = entry.partition("=")
    return path if sep else key


@dataclass(kw_only=True)
class ConfigMapGenerator:
    """A ConfigMap built by kustomize from literals, env files or files.

    ``files`` and ``envs`` entries are paths of files kept beside the
    kustomization (read, never written, by kustgen) or :class:`File` objects
    whose contents kustgen writes there.
    """

    name: str
    namespace: str | None = None
    behavior: Behavior | None = None
    literals: list[str] | None = None
    envs: list[Source] | None = None
    files: list[Source] | None = None
    options: GeneratorOptions | None = None

    def written_files(self) -> list[File]:
        """The files kustgen writes beside the kustomization for this generator."""
        return [s for s in [*(self.envs or []), *(self.files or [])] if isinstance(s, File)]

    def read_paths(self) -> list[str]:
        """Files kept by hand beside the kustomization that kustomize reads."""
        paths = [s for s in self.envs or [] if isinstance(s, str)]
        paths.extend(_hand_kept_path(s) for s in self.files or [] if isinstance(s, str))
        return paths

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            [
                ("name", self.name),
                ("namespace", self.namespace),
                ("behavior", self.behavior),
                ("literals", self.literals),
                ("envs", _entries(self.envs, files=False)),
                ("files", _entries(self.files, files=True)),
                ("options", self.options.to_dict() if self.options else None),
            ]
        )


@dataclass(kw_only=True)
class SecretGenerator(ConfigMapGenerator):
    """A Secret built by kustomize; ``type`` defaults to Opaque in kustomize.

    Secret values stay out of the tree: read them with ``envs`` or ``files``
    from files kept out of version control (the overlay's ``.gitignore`` lists
    them), or reference a sealed/encrypted Secret instead.  ``literals`` and
    :class:`File` entries would write the values into the tree in plain text,
    so they are refused unless ``allow_plaintext=True`` says that is intended.
    """

    type: str | None = None
    allow_plaintext: bool = False

    def __post_init__(self) -> None:
        if self.allow_plaintext:
            return
        where = f"secret {self.name}"
        if self.literals:
            raise InputError(
                "literals would be written to kustomization.yaml in plain text; read the "
                "values from an env file kept out of git (envs=[...]) or pass "
                "allow_plaintext=True",
                obj=where,
                field="literals",
            )
        for name in ("envs", "files"):
            if any(isinstance(s, File) for s in getattr(self, name) or []):
                raise InputError(
                    "a File would be written to the tree in plain text; name a file kept "
                    "out of git instead (a path string) or pass allow_plaintext=True",
                    obj=where,
                    field=name,
                )

    def local_paths(self) -> list[str]:
        """The files kept out of git the values come from (relative to the kustomization)."""
        return self.read_paths()

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.type is not None:
            data["type"] = self.type
        return data


@dataclass(kw_only=True)
class FieldSpec:
    """A place in objects, as kustomize's transformer configurations name it.

    ``path`` is slash-separated (``spec/template/spec/volumes/csi/nodePublishSecretRef/name``;
    lists are walked); ``kind``/``group``/``version`` narrow it to objects of
    that type (unset: every object that has the path).
    """

    path: str
    kind: str | None = None
    group: str | None = None
    version: str | None = None
    #: Create the maps along the path where they are missing (transformers).
    create: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none([("path", self.path), ("group", self.group),
                           ("version", self.version), ("kind", self.kind),
                           ("create", self.create)])


@dataclass(kw_only=True)
class NameReference:
    """Objects of ``kind`` (``group``, ``version``) are named at ``field_specs``.

    Written to a ``configurations:`` file (kustomize's ``nameReference``):
    kustomize then rewrites those fields when it renames such an object (a
    generator's content hash, ``namePrefix``/``nameSuffix``), as it does for
    the fields its own table lists.  For example a CSI volume's credentials::

        NameReference(kind="Secret", field_specs=[
            FieldSpec(path="spec/template/spec/volumes/csi/nodePublishSecretRef/name")])

    or a custom resource naming another (``kind="IPAddressPool",
    group="metallb.io"``, a field spec on ``spec/ipAddressPools`` of kind
    ``L2Advertisement``).
    """

    kind: str
    field_specs: list[FieldSpec]
    group: str | None = None
    version: str | None = None

    def __post_init__(self) -> None:
        if not self.kind or not self.field_specs:
            raise InputError("needs a kind and at least one field spec",
                             obj=f"name reference {self.kind or '?'}")

    def to_dict(self) -> dict[str, Any]:
        return _drop_none([("kind", self.kind), ("group", self.group),
                           ("version", self.version),
                           ("fieldSpecs", [spec.to_dict() for spec in self.field_specs])])


@dataclass(kw_only=True)
class AnnotationsTransformer:
    """Kustomize's builtin AnnotationsTransformer, listed in ``transformers:``.

    Unlike ``commonAnnotations`` (which also writes pod templates) it sets the
    ``annotations`` only where ``field_specs`` say; the default is every
    object's ``metadata/annotations``.
    """

    annotations: dict[str, str]
    field_specs: list[FieldSpec] = field(
        default_factory=lambda: [FieldSpec(path="metadata/annotations", create=True)])
    name: str = "annotations"

    def __post_init__(self) -> None:
        if not _FILE_STEM.match(self.name):
            raise InputError("use lower-case letters, digits and '-' (it names the file)",
                             obj=f"transformer {self.name!r}", field="name")

    def to_dict(self) -> dict[str, Any]:
        return {"apiVersion": "builtin", "kind": "AnnotationsTransformer",
                "metadata": {"name": self.name}, "annotations": dict(self.annotations),
                "fieldSpecs": [spec.to_dict() for spec in self.field_specs]}


def name_reference_configuration(references: list[NameReference]) -> dict[str, Any]:
    """The ``configurations:`` file declaring ``references``."""
    return {"nameReference": [reference.to_dict() for reference in references]}


@dataclass(kw_only=True)
class Kustomization:
    """A ``kustomization.yaml`` (or, with ``component=True``, a Component)."""

    component: bool = False

    # Operands: what the build starts from.
    resources: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)

    # Generators.
    config_map_generator: list[ConfigMapGenerator] = field(default_factory=list)
    secret_generator: list[SecretGenerator] = field(default_factory=list)
    generator_options: GeneratorOptions | None = None

    # Transformers.
    namespace: str | None = None
    name_prefix: str | None = None
    name_suffix: str | None = None
    labels: list[Label] = field(default_factory=list)
    common_annotations: dict[str, str] = field(default_factory=dict)
    images: list[Image] = field(default_factory=list)
    replicas: list[Replica] = field(default_factory=list)
    patches: list[PatchRef] = field(default_factory=list)
    #: Transformer configuration files, run after the fields above.
    transformers: list[str] = field(default_factory=list)

    # Teach kustomize name references it does not know (custom resources).
    configurations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        api_version = COMPONENT_API_VERSION if self.component else KUSTOMIZATION_API_VERSION
        kind = "Component" if self.component else "Kustomization"
        pairs: list[tuple[str, Any]] = [
            ("apiVersion", api_version),
            ("kind", kind),
            ("resources", list(self.resources) or None),
            ("components", list(self.components) or None),
            ("configMapGenerator", [g.to_dict() for g in self.config_map_generator] or None),
            ("secretGenerator", [g.to_dict() for g in self.secret_generator] or None),
            (
                "generatorOptions",
                self.generator_options.to_dict() if self.generator_options else None,
            ),
            ("namespace", self.namespace),
            ("namePrefix", self.name_prefix),
            ("nameSuffix", self.name_suffix),
            ("labels", [label.to_dict() for label in self.labels] or None),
            ("commonAnnotations", dict(self.common_annotations) or None),
            ("images", [image.to_dict() for image in self.images] or None),
            ("replicas", [replica.to_dict() for replica in self.replicas] or None),
            ("patches", [patch.to_dict() for patch in self.patches] or None),
            ("transformers", list(self.transformers) or None),
            ("configurations", list(self.configurations) or None),
        ]
        return _drop_none(pairs)
