"""Validation of every environment's final objects, before anything is written.

``validate(cluster)`` renders each environment (what lands in the cluster),
checks every object against its schema (:mod:`kustgen.validate.schemas`) and
the field rules schemas miss (:mod:`kustgen.validate.fields`), runs the lint
rules (:mod:`kustgen.lint`) and returns all findings, sorted, minus those the
cluster's ``lint_ignore`` silences.  ``kustgen validate`` prints them;
``kustgen build`` refuses to write when any is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kustgen.tree import Cluster
from kustgen.validate.findings import Finding, finding, raise_on_errors, silence
from kustgen.validate.schemas import SchemaSet, is_builtin

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
    messages repeat the whole offending value first)."""
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
    env: str, objects: Iterable[Mapping[str, Any]], schemas: SchemaSet
) -> list[Finding]:
    """Schema and field-rule findings of ``objects`` (one environment)."""
    from kustgen.validate import fields

    found = []
    unchecked = 0
    for obj in objects:
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        validator = schemas.validator(api_version, kind)
        if validator is None and is_builtin(api_version) and not schemas.builtin_available:
            unchecked += 1
        elif validator is None:
            found.append(
                finding(
                    "schema-unknown",
                    "warning",
                    env,
                    obj,
                    "kind",
                    f"no schema for {api_version} {kind}: not validated "
                    "(name its CustomResourceDefinition with --crd FILE)",
                )
            )
        else:
            for error in validator.iter_errors(obj):
                message = schema_message(error, validator)
                if len(message) > _MESSAGE_LIMIT:
                    message = message[: _MESSAGE_LIMIT - 3] + "..."
                found.append(
                    finding("schema", "error", env, obj, _path(error.absolute_path), message)
                )
        for rule, field, message in fields.check(obj):
            found.append(finding(rule, "error", env, obj, field, message))
    if unchecked:
        found.append(
            Finding(
                env,
                "",
                "",
                "schema-unavailable",
                "warning",
                f"{unchecked} object(s) of built-in kinds not checked against the Kubernetes "
                f"{schemas.kubernetes_version} schemas: pip install 'kustgen[validate]'",
            )
        )
    return found


def validate(
    cluster: Cluster,
    envs: Sequence[str] | None = None,
    *,
    crd_files: Sequence[Path] = (),
    lint: bool = True,
    schemas: SchemaSet | None = None,
    root: Path | None = None,
) -> list[Finding]:
    """Every finding of ``envs`` (default: all): schemas, field rules and, with ``lint``, lint.

    Config files that generators read from beside their kustomization are read
    from ``root`` (the output root); without it, and for secret value files
    always, empty stand-ins are used.
    """
    from kustgen.lint import lint_env, tree_findings
    from kustgen.validate.objects import environments

    schemas = schemas or SchemaSet(crd_files)
    found: list[Finding] = []
    for env in environments(cluster, envs, root):
        found += check_objects(env.env, env.objects, schemas)
        found += lint_env(cluster, env) if lint else env.duplicates
    # The written tree is checked as a whole when every environment is validated.
    tree_wide = tree_findings(cluster) if lint and envs is None else []
    return sorted(silence(found, cluster.lint_ignore) + tree_wide)
