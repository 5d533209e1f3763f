"""Bare-metal lint: what would fail or misbehave in the cluster, found before commit.

``lint(cluster)`` runs every rule of :data:`kustgen.lint.rules.RULES` on each
environment's final objects and returns all findings, sorted, with the
cluster's ``lint_ignore`` entries taken out.  Rules read the cluster's
declarations (``Cluster.external``, ``Cluster.nodes``) for what the tree does
not define.

The rules are imported on first use: the catalog reads
:mod:`kustgen.lint.metallb` (pool addresses) without loading them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kustgen.fleet import Fleet
    from kustgen.lint.context import Obj
    from kustgen.lint.rules import RULES, Rule
    from kustgen.tree import Cluster
    from kustgen.validate.findings import Finding
    from kustgen.validate.objects import EnvObjects

__all__ = ["RULES", "Rule", "lint", "lint_env", "tree_findings"]


def __getattr__(name: str) -> Any:
    if name in ("RULES", "Rule"):
        from kustgen.lint import rules

        return getattr(rules, name)
    raise AttributeError(f"module 'kustgen.lint' has no attribute {name!r}")

#: Rules that look at the written tree as a whole rather than at one environment.
TREE_RULES = ("secret-plaintext",)


def lint_env(cluster: Cluster, env: EnvObjects, provided: Sequence[Obj] = ()) -> list[Finding]:
    """Every rule's findings for one rendered environment (not yet silenced).

    ``provided`` are objects other environments put on the same cluster (its
    pools, storage classes, namespaces): the rules see them, but only the
    environment's own objects are reported.
    """
    from kustgen.lint.context import Context
    from kustgen.lint.rules import RULES
    from kustgen.validate.findings import finding

    ctx = Context(env.env, env.overlay, [*env.objects, *provided], cluster)
    own = {id(obj) for obj in env.objects}
    found = list(env.duplicates)
    for rule in RULES:
        for obj, field, message in rule.check(ctx):
            if not provided or id(obj) in own:
                found.append(finding(rule.id, rule.severity, env.env, obj, field, message))
    return found


def tree_findings(cluster: Cluster | Fleet, files: dict[str, str] | None = None) -> list[Finding]:
    """``secret-plaintext``: secret values in any written file, used or not.

    The same check ``kustgen build`` makes before writing; its only opt-ins are
    ``SecretGenerator(allow_plaintext=True)`` and ``Cluster(allow_plaintext=...)``,
    so ``lint_ignore`` does not silence it.  The environment column holds the file.
    """
    from kustgen.layout import layout
    from kustgen.plaintext import Allowances, scan
    from kustgen.validate.findings import Finding

    return [
        Finding(hit.path, hit.ref, hit.field, "secret-plaintext", "error", hit.message())
        for hit in scan(files if files is not None else layout(cluster), Allowances.of(cluster))
    ]


def lint(cluster: Cluster, envs: Sequence[str] | None = None) -> list[Finding]:
    """All lint findings of ``envs`` (default: every environment, and then the
    tree-wide ``secret-plaintext`` findings too), sorted and silenced.

    Environments sharing the cluster see each other's infrastructure (see
    :func:`kustgen.validate.validate`)."""
    from kustgen.layout import layout
    from kustgen.validate.findings import silence
    from kustgen.validate.objects import environments, shared_cluster

    files = layout(cluster)
    found_envs = environments(cluster, envs, files=files)
    shared = shared_cluster(cluster, complete=envs is None, files=files,
                            rendered={e.env: e.objects for e in found_envs})
    found = list(shared.duplicates)
    for env in found_envs:
        found += lint_env(cluster, env, shared.provided_to(env.env))
    tree_wide = tree_findings(cluster, files) if envs is None else []
    return sorted(silence(found, cluster.lint_ignore) + tree_wide)
