"""Cluster-scoped built-in kinds of Kubernetes 1.32.

kustomize leaves these out of the namespace transformer; every kind not listed
(including all custom resources, e.g. cert-manager's ClusterIssuer) is treated
as namespaced, exactly as kustomize does (FACTS §3.3).  Source: the ``kubectl
api-resources --namespaced=false`` list of a 1.32 API server.
"""

from __future__ import annotations

CLUSTER_SCOPED_KINDS: frozenset[str] = frozenset(
    {
        # core
        "ComponentStatus", "Namespace", "Node", "PersistentVolume",
        # admissionregistration.k8s.io
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
        # apiextensions.k8s.io / apiregistration.k8s.io
        "CustomResourceDefinition", "APIService",
        # authentication / authorization (create-only reviews)
        "TokenReview", "SelfSubjectReview", "SelfSubjectAccessReview",
        "SelfSubjectRulesReview", "SubjectAccessReview",
        # certificates.k8s.io
        "CertificateSigningRequest", "ClusterTrustBundle",
        # flowcontrol.apiserver.k8s.io
        "FlowSchema", "PriorityLevelConfiguration",
        # networking.k8s.io
        "IngressClass", "IPAddress", "ServiceCIDR",
        # node.k8s.io
        "RuntimeClass",
        # rbac.authorization.k8s.io
        "ClusterRole", "ClusterRoleBinding",
        # resource.k8s.io
        "DeviceClass", "ResourceSlice",
        # scheduling.k8s.io
        "PriorityClass",
        # storage.k8s.io
        "CSIDriver", "CSINode", "StorageClass", "VolumeAttachment", "VolumeAttributesClass",
    }
)


def is_cluster_scoped(kind: str) -> bool:
    return kind in CLUSTER_SCOPED_KINDS
