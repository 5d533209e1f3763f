"""Validation of every environment's final objects, before anything is written.

``validate(cluster)`` renders each environment (what lands in the cluster),
checks every object against its schema (:mod:`kustgen.validate.schemas`) and
the field rules schemas miss (:mod:`kustgen.validate.fields`), runs the lint
rules (:mod:`kustgen.lint`) and returns all findings, sorted, minus those the
cluster's ``lint_ignore`` silences.  ``kustgen validate`` prints them;
``kustgen build`` refuses to write when any is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import astuple
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kustgen.fleet import Fleet
from kustgen.tree import Cluster
from kustgen.validate.findings import Finding, object_ref, raise_on_errors, silence

if TYPE_CHECKING:
    from kustgen.layout import Tree
    from kustgen.validate.cache import ValidationCache
    from kustgen.validate.schemas import SchemaSet

__all__ = ["Finding", "SchemaSet", "check_objects", "raise_on_errors", "validate"]

#: Longest schema message kept (jsonschema repeats whole sub-objects in some).
_MESSAGE_LIMIT = 200


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _quoted(names: Iterable[str]) -> str:
    items = [repr(n) for n in names]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _required_only(alternatives: Any) -> list[list[str]] | None:
    """The ``required`` lists of alternatives that say nothing else, or None."""
    if not isinstance(alternatives, list) or not alternatives:
        return None
    found = []
    for sub in alternatives:
        if not isinstance(sub, Mapping) or set(sub) != {"required"}:
            return None
        found.append([str(name) for name in sub["required"]])
    return found


def _alternatives_message(error: Any, validator: Any) -> str | None:
    """oneOf/anyOf in words: which alternatives conflict, naming their fields."""
    alternatives = error.validator_value
    instance = error.instance
    required = _required_only(alternatives)
    valid = [i for i, sub in enumerate(alternatives)
             if validator.evolve(schema=sub).is_valid(instance)]
    if required is not None and isinstance(instance, Mapping):
        every = [name for names in required for name in names]
        if valid:  # oneOf, more than one matched
            present = [name for name in every if name in instance]
            return f"sets {_quoted(present)}; give exactly one of {_quoted(every)}"
        need = "exactly one" if error.validator == "oneOf" else "at least one"
        return f"sets none of {_quoted(every)}; {need} of them is required"
    if valid:
        return (f"matches alternatives {_quoted(str(i) for i in valid)} of {error.validator}; "
                "exactly one may match")
    reasons = sorted({sub.message for sub in error.context if len(sub.message) < 80})
    detail = f": {'; '.join(reasons[:3])}" if reasons else ""
    return f"matches none of the {len(alternatives)} alternatives of {error.validator}{detail}"


def schema_message(error: Any, validator: Any) -> str:
    """A jsonschema error as one short line that keeps the reason (its own
    messages repeat the whole offending value first).  ``validator`` is the
    jsonschema validator (or a wrapper holding it as ``.validator``)."""
    validator = getattr(validator, "validator", validator)
    if error.validator in ("oneOf", "anyOf"):
        explained = _alternatives_message(error, validator)
        if explained:
            return explained
    message = str(error.message)
    shown = repr(error.instance)
    if len(shown) > 60 and message.startswith(shown):
        what = ("the mapping" if isinstance(error.instance, Mapping)
                else "the list" if isinstance(error.instance, list) else "the value")
        message = what + message[len(shown):]
    return message


def check_objects(
    env: str,
    objects: Iterable[Mapping[str, Any]],
    schemas: SchemaSet | Callable[[], SchemaSet],
    *,
    cache: ValidationCache | None = None,
) -> list[Finding]:
    """Schema and field-rule findings of ``objects`` (one environment).

    ``schemas`` may be a function making the set, called only if an object
    needs checking; with ``cache``, an object checked before (same JSON, same
    fingerprint) is not checked again."""
    from kustgen.validate import fields
    from kustgen.validate.schemas import KUBERNETES_VERSION, SchemaSet

    found: list[Finding] = []
    unchecked = 0
    schema_set = schemas if isinstance(schemas, SchemaSet) else None
    for obj in objects:
        key = cache.object_key(obj) if cache is not None else ""
        hit = cache.object_findings(key) if cache is not None else None
        if hit is None:
            if schema_set is None:
                schema_set = schemas() if callable(schemas) else schemas
            hit = _check_object(obj, schema_set, fields.check)
            if cache is not None:
                cache.keep_object(key, *hit)
                cache.stats.checked += 1
        unchecked += hit[0]
        ref = object_ref(obj)
        found.extend(Finding(env, ref, field, rule, severity, message)  # type: ignore[arg-type]
                     for rule, severity, field, message in hit[1])
    if unchecked:
        version = schema_set.kubernetes_version if schema_set is not None else KUBERNETES_VERSION
        found.append(
            Finding(
                env,
                "",
                "",
                "schema-unavailable",
                "warning",
                f"{unchecked} object(s) of built-in kinds not checked against the Kubernetes "
                f"{version} schemas: pip install 'kustgen[validate]'",
            )
        )
    return found


def _check_object(
    obj: Mapping[str, Any], schemas: SchemaSet, field_check: Callable[[Any], Iterable[Any]]
) -> tuple[bool, list[list[str]]]:
    """(not schema-checked for lack of kubernetes-validate, [rule, severity, field, message])."""
    from kustgen.validate.schemas import is_builtin

    rows: list[list[str]] = []
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    validator = schemas.validator(api_version, kind)
    unchecked = False
    if validator is None and is_builtin(api_version) and not schemas.builtin_available:
        unchecked = True
    elif validator is None:
        rows.append(["schema-unknown", "warning", "kind",
                     f"no schema for {api_version} {kind}: not validated "
                     "(name its CustomResourceDefinition with --crd FILE)"])
    else:
        for error in validator.iter_errors(obj):
            message = schema_message(error, validator)
            if len(message) > _MESSAGE_LIMIT:
                message = message[: _MESSAGE_LIMIT - 3] + "..."
            rows.append(["schema", "error", _path(error.absolute_path), message])
    for rule, field, message in field_check(obj):
        rows.append([rule, "error", field, message])
    return unchecked, rows


def validate(
    cluster: Cluster | Fleet,
    envs: Sequence[str] | None = None,
    *,
    crd_files: Sequence[Path] = (),
    lint: bool = True,
    schemas: SchemaSet | None = None,
    files: Tree | None = None,
    cache: ValidationCache | None = None,
    root: Path | None = None,
) -> list[Finding]:
    """Every finding of ``envs`` (default: all, of every cluster of a fleet): schemas,
    field rules and, with ``lint``, lint.

    Environments sharing a cluster are linted with the infrastructure the
    others (and its installations) apply there, and two of them applying one
    object is a ``duplicate-id``.  ``files`` is the tree (``kustgen.layout.layout``)
    when the caller computed it already.  With ``cache`` (see
    :mod:`kustgen.validate.cache`), an environment whose tree and configuration
    were validated before is not rendered again, and only objects not seen
    before are checked.  Config files generators read from beside their
    kustomization are read from ``root`` (the output root); secret value files
    never are (empty stand-ins, as are config files without ``root``).
    """
    from kustgen.tree import converted_once

    with converted_once():  # nothing here runs the user's code: convert each object once
        return _validate(cluster, envs, crd_files=crd_files, lint=lint, schemas=schemas,
                         files=files, cache=cache, root=root)


def _validate(
    cluster: Cluster | Fleet,
    envs: Sequence[str] | None,
    *,
    crd_files: Sequence[Path],
    lint: bool,
    schemas: SchemaSet | None,
    files: Tree | None,
    cache: ValidationCache | None,
    root: Path | None,
) -> list[Finding]:
    from kustgen.fleet import as_fleet
    from kustgen.inputs import input_tree
    from kustgen.layout import layout
    from kustgen.lint.context import declarations
    from kustgen.render import FileTree, RenderCache
    from kustgen.render.cache import SHARED
    from kustgen.validate.cache import tree_digest
    from kustgen.validate.objects import SharedCluster, env_objects, shared_cluster

    fleet = as_fleet(cluster)
    for name in envs or ():
        fleet.overlay(name)  # an unknown environment is an error, not an empty result
    laid = files if files is not None else layout(fleet)
    inputs = input_tree(fleet, root, secrets="never", files=laid)
    made: list[SchemaSet] = [schemas] if schemas is not None else []

    def schema_set() -> SchemaSet:
        from kustgen.validate.schemas import SchemaSet

        if not made:
            made.append(SchemaSet(crd_files))
        return made[0]

    trees: list[FileTree] = []

    def tree() -> FileTree:
        if not trees:
            trees.append(FileTree(inputs))
        return trees[0]

    # Each environment is rendered once here: keep its bases' builds, not its result.
    renders = RenderCache(store=cache, fallback=SHARED, results=0) if cache is not None else None
    digest = tree_digest(inputs) if cache is not None else ""
    found: list[Finding] = []
    for member in fleet.clusters:
        names = [e for e in member.envs() if envs is None or e in envs]
        if not names:
            continue
        here: list[Finding] = []
        shared: SharedCluster | None = None
        if envs is None:  # objects two units of the cluster both apply
            key = cache.env_key(digest, f"cluster {member.name}", "") if cache else ""
            rows = cache.env_findings(key) if cache is not None else None
            if rows is None:
                shared = shared_cluster(member, files=tree())
                rows = [list(astuple(f)) for f in shared.duplicates]
                if cache is not None:
                    cache.keep_env(key, rows)
            here += [Finding(*row) for row in rows]  # type: ignore[arg-type]
        for env in names:
            config = repr((declarations(member, member.overlay(env)), lint))
            key = cache.env_key(digest, env, config) if cache is not None else ""
            rows = cache.env_findings(key) if cache is not None else None
            if rows is not None:
                here += [Finding(*row) for row in rows]  # type: ignore[arg-type]
                continue
            from kustgen.lint import lint_env  # only when something is validated

            rendered = env_objects(member, env, files=tree(), cache=renders)
            env_found = check_objects(env, rendered.objects, schema_set, cache=cache)
            if lint:
                if shared is None:
                    shared = shared_cluster(member, complete=False, files=tree())
                env_found += lint_env(member, rendered, shared.provided_to(env))
            else:
                env_found += rendered.duplicates
            if cache is not None:
                cache.keep_env(key, [list(astuple(f)) for f in env_found])
                cache.stats.envs.append(env)
            here += env_found
        found += silence(here, member.lint_ignore)
    if cache is not None and renders is not None:
        cache.stats.rendered += renders.built
        cache.save()
    # The written tree is checked as a whole when every environment is validated
    # (``secret-plaintext``: no cache, it reads the Python definition's opt-ins).
    tree_wide: list[Finding] = []
    if lint and envs is None:
        from kustgen.lint import tree_findings

        tree_wide = tree_findings(fleet, laid)
    return sorted(found + tree_wide)


def __getattr__(name: str) -> Any:
    if name == "SchemaSet":  # the schemas are loaded only when something is checked
        from kustgen.validate.schemas import SchemaSet

        return SchemaSet
    raise AttributeError(f"module 'kustgen.validate' has no attribute {name!r}")
