"""Bare-metal lint: what would fail or misbehave in the cluster, found before commit.

``lint(cluster)`` runs every rule of :data:`kustgen.lint.rules.RULES` on each
environment's final objects and returns all findings, sorted, with the
cluster's ``lint_ignore`` entries taken out.  Rules read the cluster's
declarations (``Cluster.external``, ``Cluster.nodes``) for what the tree does
not define.
"""

from __future__ import annotations

from collections.abc import Sequence

from kustgen.lint.context import Context
from kustgen.lint.rules import RULES, Rule
from kustgen.tree import Cluster
from kustgen.validate.findings import Finding, finding, silence
from kustgen.validate.objects import EnvObjects, environments

__all__ = ["RULES", "Rule", "lint", "lint_env", "tree_findings"]

#: Rules that look at the written tree as a whole rather than at one environment.
TREE_RULES = ("secret-plaintext",)


def lint_env(cluster: Cluster, env: EnvObjects) -> list[Finding]:
    """Every rule's findings for one rendered environment (not yet silenced)."""
    ctx = Context(env.env, env.overlay, env.objects, cluster)
    found = list(env.duplicates)
    for rule in RULES:
        for obj, field, message in rule.check(ctx):
            found.append(finding(rule.id, rule.severity, env.env, obj, field, message))
    return found


def tree_findings(cluster: Cluster, files: dict[str, str] | None = None) -> list[Finding]:
    """``secret-plaintext``: secret values in any written file, used or not.

    The same check ``kustgen build`` makes before writing; its only opt-ins are
    ``SecretGenerator(allow_plaintext=True)`` and ``Cluster(allow_plaintext=...)``,
    so ``lint_ignore`` does not silence it.  The environment column holds the file.
    """
    from kustgen.layout import layout
    from kustgen.plaintext import Allowances, scan

    return [
        Finding(hit.path, hit.ref, hit.field, "secret-plaintext", "error", hit.message())
        for hit in scan(files if files is not None else layout(cluster), Allowances.of(cluster))
    ]


def lint(cluster: Cluster, envs: Sequence[str] | None = None) -> list[Finding]:
    """All lint findings of ``envs`` (default: every environment, and then the
    tree-wide ``secret-plaintext`` findings too), sorted and silenced."""
    found = [f for env in environments(cluster, envs) for f in lint_env(cluster, env)]
    tree_wide = tree_findings(cluster) if envs is None else []
    return sorted(silence(found, cluster.lint_ignore) + tree_wide)
