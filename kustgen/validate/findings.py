"""What validation and lint report: findings, their order, and how they are shown.

A finding names the rule, its severity, the environment, the object as
``Kind/namespace/name`` (``Kind/name`` when it has no namespace), the field
path inside it and a one-line message.  Every finding of a run is collected
first and reported together, sorted; error-level findings make the run fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from kustgen.errors import CheckFailed

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in one object of one environment."""

    env: str
    obj: str
    field: str
    rule: str
    severity: Severity
    message: str

    def format(self) -> str:
        location = ": ".join(part for part in (self.env, self.obj, self.field) if part)
        return f"{self.severity}: {location}: {self.message} [{self.rule}]"


def object_ref(data: Mapping[str, Any]) -> str:
    """``Kind/namespace/name`` of a plain object (``Kind/name`` without a namespace)."""
    meta = data.get("metadata") or {}
    namespace = meta.get("namespace") if isinstance(meta, Mapping) else None
    name = meta.get("name", "?") if isinstance(meta, Mapping) else "?"
    kind = data.get("kind", "?")
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def finding(
    rule: str, severity: Severity, env: str, data: Mapping[str, Any], field: str, message: str
) -> Finding:
    return Finding(env, object_ref(data), field, rule, severity, message)


def silence(
    findings: Iterable[Finding], ignore: Mapping[str, Iterable[str]]
) -> list[Finding]:
    """Drop findings an ``ignore`` entry (``[ENV:]Kind/namespace/name`` -> rule ids) covers."""
    rules = {key: set(ids) for key, ids in ignore.items()}
    return [
        f
        for f in findings
        if f.rule not in rules.get(f.obj, ()) and f.rule not in rules.get(f"{f.env}:{f.obj}", ())
    ]


def as_text(findings: Iterable[Finding]) -> str:
    return "".join(f.format() + "\n" for f in sorted(findings))


def as_json(findings: Iterable[Finding]) -> str:
    return json.dumps([asdict(f) for f in sorted(findings)], indent=2) + "\n"


def summary(findings: Iterable[Finding]) -> str:
    found = list(findings)
    errors = sum(f.severity == "error" for f in found)
    return f"{errors} error(s), {len(found) - errors} warning(s)"


def raise_on_errors(findings: Iterable[Finding]) -> None:
    """Raise ``CheckFailed`` listing every finding when any is an error."""
    found = sorted(findings)
    if any(f.severity == "error" for f in found):
        raise CheckFailed(summary(found), obj="validate", details=as_text(found))
