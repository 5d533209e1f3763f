"""Field checks that the JSON schemas leave out (kubernetes-validate passes all of these).

Enum values, quantity syntax, DNS-1123 names and label syntax, port ranges,
the cron of Longhorn recurring jobs (and CronJobs) and the duration strings of
MetalLB's BGP timers.  ``check(obj)`` yields ``(rule, field, message)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kustgen.validate import syntax
from kustgen.validate.walk import containers, pod_templates

Problem = tuple[str, str, str]

_SERVICE_ENUMS = {
    "type": ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"),
    "externalTrafficPolicy": ("Cluster", "Local"),
    "internalTrafficPolicy": ("Cluster", "Local"),
    "sessionAffinity": ("None", "ClientIP"),
    "ipFamilyPolicy": ("SingleStack", "PreferDualStack", "RequireDualStack"),
}
_CONTAINER_ENUMS = {
    "imagePullPolicy": ("Always", "IfNotPresent", "Never"),
    "terminationMessagePolicy": ("File", "FallbackToLogsOnError"),
}
_POD_ENUMS = {
    "restartPolicy": ("Always", "OnFailure", "Never"),
    "dnsPolicy": ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"),
}
_PROTOCOLS = ("TCP", "UDP", "SCTP")
_ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
#: Kind -> (path of the spec field, allowed values)
_KIND_ENUMS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "Deployment": (("spec.strategy.type", ("RollingUpdate", "Recreate")),),
    "StatefulSet": (
        ("spec.podManagementPolicy", ("OrderedReady", "Parallel")),
        ("spec.updateStrategy.type", ("RollingUpdate", "OnDelete")),
    ),
    "DaemonSet": (("spec.updateStrategy.type", ("RollingUpdate", "OnDelete")),),
    "CronJob": (("spec.concurrencyPolicy", ("Allow", "Forbid", "Replace")),),
    "PersistentVolumeClaim": (("spec.volumeMode", ("Filesystem", "Block")),),
    "StorageClass": (
        ("reclaimPolicy", ("Delete", "Retain")),
        ("volumeBindingMode", ("Immediate", "WaitForFirstConsumer")),
    ),
}
#: Pod restart policies each workload kind accepts.
_RESTART = {
    "Deployment": ("Always",),
    "StatefulSet": ("Always",),
    "DaemonSet": ("Always",),
    "ReplicaSet": ("Always",),
    "Job": ("OnFailure", "Never"),
    "CronJob": ("OnFailure", "Never"),
}
#: Kinds whose name is a DNS-1123 label (else a subdomain); Services also start with a letter.
_LABEL_NAMED = {"Namespace"}
#: Kinds whose names need only be path segments (ValidatePathSegmentName), as
#: upstream RBAC objects use them: ``metallb-system:controller``.
_PATH_SEGMENT_NAMED = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
_DURATIONS = ("holdTime", "keepaliveTime", "connectTime")


def _get(obj: Any, path: str) -> Any:
    for key in path.split("."):
        obj = obj.get(key) if isinstance(obj, Mapping) else None
    return obj


def _list(value: Any) -> list[Any]:
    """A list field's items; anything else (a string, a mapping) is the schema's
    to report, once, not a finding per character or key."""
    return value if isinstance(value, list) else []


def _enum(value: Any, allowed: tuple[str, ...], field: str) -> Iterator[Problem]:
    if value is not None and value not in allowed:
        yield "field-value", field, f"{value!r} is not one of {', '.join(allowed)}"


def _labels(labels: Any, field: str) -> Iterator[Problem]:
    if not isinstance(labels, Mapping):
        return
    for key, value in labels.items():
        why = syntax.qualified_name(str(key)) or syntax.label_value(value)
        if why:
            yield "label-syntax", f"{field}.{key}", why


def _metadata(obj: Mapping[str, Any]) -> Iterator[Problem]:
    meta = obj.get("metadata") or {}
    name, kind = meta.get("name"), obj.get("kind")
    if isinstance(name, str):
        if kind == "Service":
            why = syntax.rfc1035_label(name)
        elif kind in _LABEL_NAMED:
            why = syntax.dns_label(name)
        elif kind in _PATH_SEGMENT_NAMED:
            bad = name in (".", "..") or "/" in name or "%" in name
            why = "may not be '.' or '..' or contain '/' or '%'" if bad else None
        else:
            why = syntax.dns_subdomain(name)
        if why:
            yield "name-syntax", "metadata.name", f"{name!r} {why}"
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and (why := syntax.dns_label(namespace)):
        yield "name-syntax", "metadata.namespace", f"{namespace!r} {why}"
    yield from _labels(meta.get("labels"), "metadata.labels")
    for key in meta.get("annotations") or {}:
        if why := syntax.qualified_name(str(key)):
            yield "label-syntax", f"metadata.annotations.{key}", why
    for prefix, template in pod_templates(obj):
        if prefix:
            yield from _labels(_get(template, "metadata.labels"), f"{prefix}metadata.labels")
    yield from _labels(_get(obj, "spec.selector.matchLabels"), "spec.selector.matchLabels")


def _port(value: Any, field: str) -> Iterator[Problem]:
    if isinstance(value, str):
        if why := syntax.port_name(value):
            yield "port-range", field, f"{value!r} {why}"
    elif value is not None and (why := syntax.port_number(value)):
        yield "port-range", field, why


def _resources(resources: Any, field: str) -> Iterator[Problem]:
    for part in ("requests", "limits"):
        quantities = _get(resources, part)
        if not isinstance(quantities, Mapping):
            continue  # the schema reports it
        for name, value in quantities.items():
            if why := syntax.quantity(value):
                yield "quantity", f"{field}.{part}.{name}", why


def _workload(obj: Mapping[str, Any]) -> Iterator[Problem]:
    kind = str(obj.get("kind"))
    for prefix, template in pod_templates(obj):
        pod = template.get("spec") or {}
        for key, allowed in _POD_ENUMS.items():
            yield from _enum(pod.get(key), allowed, f"{prefix}spec.{key}")
        restart = pod.get("restartPolicy")
        accepted = _RESTART.get(kind, _POD_ENUMS["restartPolicy"])
        if restart in _POD_ENUMS["restartPolicy"] and restart not in accepted:
            yield (
                "field-value",
                f"{prefix}spec.restartPolicy",
                (f"a {kind} needs restartPolicy {' or '.join(_RESTART[kind])}, not {restart}"),
            )
        for i, volume in enumerate(_list(pod.get("volumes"))):
            limit = _get(volume, "emptyDir.sizeLimit")
            if limit is not None and (why := syntax.quantity(limit)):
                yield "quantity", f"{prefix}spec.volumes[{i}].emptyDir.sizeLimit", why
    for path, container in containers(obj):
        for key, allowed in _CONTAINER_ENUMS.items():
            yield from _enum(container.get(key), allowed, f"{path}.{key}")
        if isinstance(container.get("name"), str) and (why := syntax.dns_label(container["name"])):
            yield "name-syntax", f"{path}.name", f"{container['name']!r} {why}"
        yield from _resources(container.get("resources"), f"{path}.resources")
        for i, port in enumerate(_list(container.get("ports"))):
            yield from _enum(port.get("protocol"), _PROTOCOLS, f"{path}.ports[{i}].protocol")
            for key in ("containerPort", "hostPort"):
                if port.get(key) is not None and (why := syntax.port_number(port[key])):
                    yield "port-range", f"{path}.ports[{i}].{key}", why
            if isinstance(port.get("name"), str) and (why := syntax.port_name(port["name"])):
                yield "port-range", f"{path}.ports[{i}].name", f"{port['name']!r} {why}"
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            for action in ("httpGet", "tcpSocket", "grpc"):
                port = _get(container, f"{probe}.{action}.port")
                yield from _port(port, f"{path}.{probe}.{action}.port")


def _service(obj: Mapping[str, Any]) -> Iterator[Problem]:
    spec = obj.get("spec") or {}
    for key, allowed in _SERVICE_ENUMS.items():
        yield from _enum(spec.get(key), allowed, f"spec.{key}")
    for i, family in enumerate(_list(spec.get("ipFamilies"))):
        yield from _enum(family, ("IPv4", "IPv6"), f"spec.ipFamilies[{i}]")
    yield from _labels(spec.get("selector"), "spec.selector")
    for i, port in enumerate(_list(spec.get("ports"))):
        yield from _enum(port.get("protocol"), _PROTOCOLS, f"spec.ports[{i}].protocol")
        if why := syntax.port_number(port.get("port")):
            yield "port-range", f"spec.ports[{i}].port", why
        yield from _port(port.get("targetPort"), f"spec.ports[{i}].targetPort")
        if port.get("nodePort") is not None and (why := syntax.port_number(port["nodePort"])):
            yield "port-range", f"spec.ports[{i}].nodePort", why
        # A Service port's name is a DNS label; only container ports are IANA names.
        if isinstance(port.get("name"), str) and (why := syntax.dns_label(port["name"])):
            yield "port-range", f"spec.ports[{i}].name", f"{port['name']!r} {why}"


def _claim(spec: Any, field: str) -> Iterator[Problem]:
    for i, mode in enumerate(_list(_get(spec, "accessModes"))):
        yield from _enum(mode, _ACCESS_MODES, f"{field}.accessModes[{i}]")
    yield from _enum(_get(spec, "volumeMode"), ("Filesystem", "Block"), f"{field}.volumeMode")
    yield from _resources(_get(spec, "resources"), f"{field}.resources")


def _bgp_peer(obj: Mapping[str, Any]) -> Iterator[Problem]:
    spec = obj.get("spec") or {}
    seconds = {}
    for key in _DURATIONS:
        value = spec.get(key)
        if value is None:
            continue
        parsed = syntax.duration_seconds(str(value))
        if parsed is None:
            yield "duration", f"spec.{key}", f"{value!r} is not a duration (e.g. 90s, 1m30s)"
        else:
            seconds[key] = parsed
    hold, keepalive = seconds.get("holdTime"), seconds.get("keepaliveTime")
    if hold is not None and 0 < hold < 3:
        yield "duration", "spec.holdTime", f"{spec['holdTime']!r}: must be 0 or at least 3s"
    if hold is not None and keepalive is not None and keepalive > hold:
        yield (
            "duration",
            "spec.keepaliveTime",
            (f"{spec['keepaliveTime']!r} exceeds holdTime {spec['holdTime']!r}"),
        )
    connect = seconds.get("connectTime")
    if connect is not None and (connect != int(connect) or not 1 <= connect <= 65535):
        yield (
            "duration",
            "spec.connectTime",
            (f"{spec['connectTime']!r}: whole seconds, 1s..65535s"),
        )


def check(obj: Mapping[str, Any]) -> Iterator[Problem]:
    """Every problem of one object that its JSON schema does not catch."""
    kind = obj.get("kind")
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    yield from _metadata(obj)
    for path, allowed in _KIND_ENUMS.get(str(kind), ()):
        yield from _enum(_get(obj, path), allowed, path)
    yield from _workload(obj)
    if kind == "Service" and not group:
        yield from _service(obj)
    elif kind == "PersistentVolumeClaim" and not group:
        yield from _claim(obj.get("spec"), "spec")
    elif kind == "StatefulSet":
        for i, template in enumerate(_list(_get(obj, "spec.volumeClaimTemplates"))):
            yield from _claim(template.get("spec"), f"spec.volumeClaimTemplates[{i}].spec")
    elif kind == "CronJob" and isinstance(schedule := _get(obj, "spec.schedule"), str):
        if why := syntax.cron(schedule):
            yield "cron", "spec.schedule", why
    elif kind == "RecurringJob" and group == "longhorn.io":
        cron = _get(obj, "spec.cron")
        if isinstance(cron, str) and (why := syntax.cron(cron)):
            yield "cron", "spec.cron", why
    elif kind == "BGPPeer" and group == "metallb.io":
        yield from _bgp_peer(obj)
    elif kind == "BackupTarget" and group == "longhorn.io":
        interval = _get(obj, "spec.pollInterval")
        if isinstance(interval, str) and syntax.duration_seconds(interval) is None:
            yield "duration", "spec.pollInterval", f"{interval!r} is not a duration (e.g. 300s)"
