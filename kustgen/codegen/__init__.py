"""kustgen's model generator (development time; the runtime never imports it).

* ``python -m kustgen.codegen k8s`` rewrites :mod:`kustgen.k8s` from the
  Kubernetes OpenAPI definitions bundled with kubernetes-validate.
* :func:`import_crds` writes one module per API group from CustomResourceDefinitions.
"""

from __future__ import annotations

from kustgen.codegen.crd import crd_schema_to_jsonschema, import_crds
from kustgen.codegen.openapi import generate_k8s

__all__ = ["crd_schema_to_jsonschema", "generate_k8s", "import_crds"]
