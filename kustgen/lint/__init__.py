"""Bare-metal lint: what would fail or misbehave in the cluster, found before commit.

``lint(cluster)`` runs every rule of :data:`kustgen.lint.rules.RULES` on each
environment's final objects and returns all findings, sorted, with the
cluster's ``lint_ignore`` entries taken out.  Rules read the cluster's
declarations (``Cluster.external``, ``Cluster.nodes``) for what the tree does
not define.
"""

from __future__ import annotations

from collections.abc import Sequence

from kustgen.lint.context import Context, Obj
from kustgen.lint.rules import RULES, Rule
from kustgen.tree import Cluster
from kustgen.validate.findings import Finding, finding, silence
from kustgen.validate.objects import EnvObjects, environments

__all__ = ["RULES", "Rule", "lint", "lint_env"]


def lint_env(cluster: Cluster, env: EnvObjects, provided: Sequence[Obj] = ()) -> list[Finding]:
    """Every rule's findings for one rendered environment (not yet silenced).

    ``provided`` are objects other environments put on the same cluster (its
    pools, storage classes, namespaces): the rules see them, but only the
    environment's own objects are reported.
    """
    ctx = Context(env.env, env.overlay, [*env.objects, *provided], cluster)
    own = {id(obj) for obj in env.objects}
    found = list(env.duplicates)
    for rule in RULES:
        for obj, field, message in rule.check(ctx):
            if not provided or id(obj) in own:
                found.append(finding(rule.id, rule.severity, env.env, obj, field, message))
    return found


def lint(cluster: Cluster, envs: Sequence[str] | None = None) -> list[Finding]:
    """All lint findings of ``envs`` (default: every environment), sorted and silenced.

    Environments sharing the cluster see each other's infrastructure (see
    :func:`kustgen.validate.validate`)."""
    from kustgen.build import input_tree
    from kustgen.validate.objects import shared_cluster

    files = input_tree(cluster)
    shared = shared_cluster(cluster, complete=envs is None, files=files)
    found = list(shared.duplicates)
    for env in environments(cluster, envs, files):
        found += lint_env(cluster, env, shared.provided_to(env.env))
    return sorted(silence(found, cluster.lint_ignore))
