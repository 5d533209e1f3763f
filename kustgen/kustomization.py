"""The kustomization file as one typed structure.

Field names mirror the YAML keys of Kustomize v5 (snake_case here, camelCase on
the wire) and only the current fields exist: there is deliberately no
``bases``, ``commonLabels``, ``patchesStrategicMerge``, ``patchesJson6902`` or
``vars``.  ``to_dict`` gives the plain mapping that is written as
``kustomization.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kustgen.errors import InputError

KUSTOMIZATION_API_VERSION = "kustomize.config.k8s.io/v1beta1"
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
    """One entry of ``patches`` as it appears in the file: a path and a target."""

    path: str
    target: PatchTarget | None = None
    #: ``allowNameChange``/``allowKindChange``: a patch may rename its target.
    options: dict[str, bool] | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            [
                ("path", self.path),
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


@dataclass(kw_only=True)
class ConfigMapGenerator:
    """A ConfigMap built by kustomize from literals, env files or files."""

    name: str
    namespace: str | None = None
    behavior: Behavior | None = None
    literals: list[str] | None = None
    envs: list[str] | None = None
    files: list[str] | None = None
    options: GeneratorOptions | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            [
                ("name", self.name),
                ("namespace", self.namespace),
                ("behavior", self.behavior),
                ("literals", self.literals),
                ("envs", self.envs),
                ("files", self.files),
                ("options", self.options.to_dict() if self.options else None),
            ]
        )


@dataclass(kw_only=True)
class SecretGenerator(ConfigMapGenerator):
    """A Secret built by kustomize; ``type`` defaults to Opaque in kustomize.

    Secret values stay out of the tree: read them with ``envs`` or ``files``
    from files kept out of version control (the overlay's ``.gitignore`` lists
    them), or reference a sealed/encrypted Secret instead.  ``literals`` would
    write the values into ``kustomization.yaml`` in plain text, so they are
    refused unless ``allow_plaintext=True`` says that is intended.
    """

    type: str | None = None
    allow_plaintext: bool = False

    def __post_init__(self) -> None:
        if self.literals and not self.allow_plaintext:
            raise InputError(
                "literals would be written to kustomization.yaml in plain text; read the "
                "values from an env file kept out of git (envs=[...]) or pass "
                "allow_plaintext=True",
                obj=f"secret {self.name}",
                field="literals",
            )

    def local_paths(self) -> list[str]:
        """The files the values come from (relative to the kustomization)."""
        paths = list(self.envs or [])
        paths.extend(entry.partition("=")[2] or entry for entry in self.files or [])
        return paths

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.type is not None:
            data["type"] = self.type
        return data


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
            ("configurations", list(self.configurations) or None),
        ]
        return _drop_none(pairs)
