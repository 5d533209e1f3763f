"""The rule table: id, severity and check of every lint rule.

Ids are stable (they are what ``Cluster(lint_ignore=...)`` names); a rule's
docstring says what it reports.  ``duplicate-id`` is found while the
environment is rendered (:mod:`kustgen.validate.objects`), not here;
``secret-plaintext`` looks at every written file, used by an environment or
not (:func:`kustgen.lint.tree_findings`, deciding with :mod:`kustgen.plaintext`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kustgen.lint import rules_loadbalancer as lb
from kustgen.lint import rules_metallb as mlb
from kustgen.lint import rules_overlay as overlay
from kustgen.lint import rules_references as references
from kustgen.lint import rules_storage as storage
from kustgen.lint import rules_workloads as workloads
from kustgen.lint.context import Context, Hit
from kustgen.validate.findings import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    check: Callable[[Context], Iterator[Hit]]

    @property
    def summary(self) -> str:
        doc = self.check.__doc__ or ""
        return doc.split(":", 1)[-1].strip().splitlines()[0]


RULES: tuple[Rule, ...] = (
    Rule("lb-no-pool", "error", lb.no_pool),
    Rule("lb-not-announced", "error", lb.not_announced),
    Rule("metallb-address", "error", mlb.pool_address),
    Rule("metallb-pool-overlap", "error", mlb.pool_overlap),
    Rule("metallb-host-bits", "warning", mlb.host_bits),
    Rule("metallb-unknown-ref", "error", mlb.unknown_reference),
    Rule("cr-ref-broken", "error", overlay.broken_by_overlay),
    Rule("ref-not-rewritten", "error", references.not_rewritten),
    Rule("pvc-storage-class", "error", storage.unknown_class),
    Rule("pvc-rwx", "error", storage.rwx_unsupported),
    Rule("longhorn-replicas", "error", storage.replicas_over_nodes),
    Rule("service-selector", "error", workloads.selector_matches_nothing),
    Rule("service-target-port", "error", workloads.unknown_target_port),
    Rule("namespace-unknown", "error", workloads.unknown_namespace),
    Rule("crd-same-layer", "warning", overlay.defined_in_same_layer),
    Rule("image-tag", "warning", workloads.image_tag),
    Rule("container-requests", "warning", workloads.no_requests),
)
