"""The ``namespace`` transformer (FACTS §3.3, observations t6-ns, t17).

* every namespaced object gets the namespace, overriding explicit ones;
  cluster-scoped built-in kinds (``scope``) are left alone, unknown kinds are
  treated as namespaced;
* Namespace objects are renamed to the namespace value;
* ServiceAccount subjects of RoleBindings/ClusterRoleBindings whose
  namespace is empty or ``default`` get it when a ServiceAccount of that name
  is part of the build; other subjects stay as written.
"""

from __future__ import annotations

from kustgen.render.resmap import ResMap
from kustgen.render.scope import is_cluster_scoped

_BINDINGS = ("RoleBinding", "ClusterRoleBinding")


def run_namespace(namespace: str, resmap: ResMap) -> None:
    if not namespace:
        return
    service_accounts = {n for r in resmap if r.kind == "ServiceAccount" for n in r.all_names()}
    for res in resmap:
        if res.kind == "Namespace":
            res.set_name(namespace)
        elif not is_cluster_scoped(res.kind):
            res.set_namespace(namespace)
        if res.kind not in _BINDINGS or res.cur_id().group != "rbac.authorization.k8s.io":
            continue
        subjects = res.obj.get("subjects")
        for subject in subjects if isinstance(subjects, list) else []:
            if (
                isinstance(subject, dict)
                and subject.get("kind") == "ServiceAccount"
                and subject.get("name") in service_accounts
                and subject.get("namespace") in (None, "", "default")
            ):
                subject["namespace"] = namespace
