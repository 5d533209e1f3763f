"""Longhorn configuration (``longhorn.io/v1beta2``, namespace ``longhorn-system``).

Longhorn itself (its CRDs and the manager) comes from the pinned upstream
manifest, vendored as typed objects in :func:`install` (a separate base that
builds offline).  :func:`longhorn_base` holds the configuration -- storage
classes, recurring jobs, settings, the backup target -- and builds offline.

The default ``longhorn`` StorageClass is not an object Longhorn expects you to
write: longhorn-manager creates it from the ``longhorn-storageclass``
ConfigMap, so :func:`default_class_config` emits that ConfigMap.  Extra
classes such as ``longhorn-retain`` are ordinary StorageClasses
(:func:`storage_class`).  Kubernetes does not allow changing the parameters of
an existing StorageClass: a changed class must be deleted and re-created, and
the change never reaches volumes that already exist.

A PVC opts into recurring jobs with :func:`recurring_job_labels`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kustgen import Base, External, InputError
from kustgen.crds import longhorn_io as lh
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta
from kustgen.k8s import storage_v1 as storage

NAMESPACE = "longhorn-system"
PROVISIONER = "driver.longhorn.io"
VERSION = "v1.12.1"

DataLocality = Literal["disabled", "best-effort", "strict-local"]
Task = Literal[
    "snapshot",
    "snapshot-force-create",
    "snapshot-cleanup",
    "snapshot-delete",
    "backup",
    "backup-force-create",
    "filesystem-trim",
    "system-backup",
]


@dataclass(frozen=True, kw_only=True)
class JobSelector:
    """One entry of a StorageClass ``recurringJobSelector``: a job or a group by name."""

    name: str
    is_group: bool = True


@dataclass(frozen=True, kw_only=True)
class VolumeParameters:
    """Typed Longhorn StorageClass parameters; :meth:`to_parameters` gives the strings.

    ``nfs_options`` replaces Longhorn's built-in NFS mount options for
    ``ReadWriteMany`` volumes entirely (every node mounting one needs an NFSv4
    client installed).
    """

    number_of_replicas: int = 3
    stale_replica_timeout: int = 30  # minutes
    data_locality: DataLocality = "disabled"
    fs_type: str = "ext4"
    from_backup: str = ""
    recurring_job_selector: Sequence[JobSelector] = ()
    nfs_options: str | None = None
    disk_selector: Sequence[str] = ()
    node_selector: Sequence[str] = ()
    backup_target_name: str = "default"
    data_engine: Literal["v1", "v2"] = "v1"
    extra: Mapping[str, str] = field(default_factory=dict)

    def to_parameters(self, obj: str = "StorageClass") -> dict[str, str]:
        """The ``parameters`` map: every value a string, as the API requires."""
        if not 1 <= self.number_of_replicas <= 20:
            raise InputError(
                f"{self.number_of_replicas} is not in 1..20",
                obj=obj,
                field="parameters.numberOfReplicas",
            )
        if self.data_locality == "strict-local" and self.number_of_replicas != 1:
            raise InputError(
                "strict-local needs numberOfReplicas 1", obj=obj, field="parameters.dataLocality"
            )
        if self.stale_replica_timeout < 0:
            raise InputError(
                "must not be negative", obj=obj, field="parameters.staleReplicaTimeout"
            )
        params = {
            "numberOfReplicas": str(self.number_of_replicas),
            "staleReplicaTimeout": str(self.stale_replica_timeout),
            "fromBackup": self.from_backup,
            "fsType": self.fs_type,
            "dataLocality": self.data_locality,
            "dataEngine": self.data_engine,
            "backupTargetName": self.backup_target_name,
        }
        if self.recurring_job_selector:
            params["recurringJobSelector"] = json.dumps(
                [{"name": s.name, "isGroup": s.is_group} for s in self.recurring_job_selector],
                separators=(",", ":"),
            )
        if self.nfs_options is not None:
            params["nfsOptions"] = self.nfs_options
        if self.disk_selector:
            params["diskSelector"] = ",".join(self.disk_selector)
        if self.node_selector:
            params["nodeSelector"] = ",".join(self.node_selector)
        params.update({k: str(v) for k, v in self.extra.items()})
        return params


ReclaimPolicy = Literal["Delete", "Retain"]


def storage_class(
    name: str = "longhorn-retain",
    *,
    parameters: VolumeParameters | None = None,
    reclaim_policy: ReclaimPolicy = "Retain",
    allow_volume_expansion: bool = True,
    volume_binding_mode: Literal["Immediate", "WaitForFirstConsumer"] = "Immediate",
    is_default: bool = False,
) -> storage.StorageClass:
    """An extra Longhorn StorageClass; by default ``longhorn-retain`` (``reclaimPolicy: Retain``).

    With ``Retain`` the PersistentVolume and the Longhorn volume survive the
    deletion of their claim.
    """
    params = (parameters or VolumeParameters()).to_parameters(f"StorageClass/{name}")
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if is_default else None
    return storage.StorageClass(
        metadata=meta.ObjectMeta(name=name, annotations=annotations),
        provisioner=PROVISIONER,
        allow_volume_expansion=allow_volume_expansion,
        reclaim_policy=reclaim_policy,
        volume_binding_mode=volume_binding_mode,
        parameters=params,
    )


def default_class_config(
    *,
    parameters: VolumeParameters | None = None,
    reclaim_policy: ReclaimPolicy = "Delete",
    is_default: bool = True,
) -> core.ConfigMap:
    """The ``longhorn-storageclass`` ConfigMap from which Longhorn manages the ``longhorn`` class.

    This is how the default class is changed (replica count, default-class
    flag, ...): longhorn-manager re-creates the class from this ConfigMap.
    """
    params = (parameters or VolumeParameters()).to_parameters("ConfigMap/longhorn-storageclass")
    lines = [
        "kind: StorageClass",
        "apiVersion: storage.k8s.io/v1",
        "metadata:",
        "  name: longhorn",
        "  annotations:",
        f'    storageclass.kubernetes.io/is-default-class: "{str(is_default).lower()}"',
        "provisioner: driver.longhorn.io",
        "allowVolumeExpansion: true",
        f'reclaimPolicy: "{reclaim_policy}"',
        "volumeBindingMode: Immediate",
        "parameters:",
        *(f"  {key}: {json.dumps(value)}" for key, value in params.items()),
    ]
    return core.ConfigMap(
        metadata=meta.ObjectMeta(name="longhorn-storageclass", namespace=NAMESPACE),
        data={"storageclass.yaml": "\n".join(lines) + "\n"},
    )


def recurring_job(
    name: str,
    *,
    task: Task,
    cron: str,
    retain: int,
    concurrency: int = 1,
    groups: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    parameters: Mapping[str, str] | None = None,
) -> lh.RecurringJob:
    """A ``RecurringJob``: ``task`` on ``cron`` (5 fields), keeping ``retain`` per volume.

    A job in group ``default`` applies to every volume without recurring-job
    labels; other groups reach a PVC through :func:`recurring_job_labels`.
    """
    obj = f"RecurringJob/{name}"
    if len(name) > 40:
        raise InputError(
            "keep recurring job names to 40 characters", obj=obj, field="metadata.name"
        )
    if len(cron.split()) != 5:
        raise InputError(f"{cron!r} is not a 5-field cron schedule", obj=obj, field="spec.cron")
    if retain < (0 if task == "snapshot-cleanup" else 1):
        raise InputError(f"{retain} is too small", obj=obj, field="spec.retain")
    if concurrency < 1:
        raise InputError(f"{concurrency} is below 1", obj=obj, field="spec.concurrency")
    return lh.RecurringJob(
        metadata=meta.ObjectMeta(name=name, namespace=NAMESPACE),
        spec=lh.RecurringJobSpec(
            name=name,
            task=task,
            cron=cron,
            retain=retain,
            concurrency=concurrency,
            groups=list(groups),
            labels=dict(labels) if labels else None,
            parameters=dict(parameters) if parameters else None,
        ),
    )


def recurring_job_labels(*groups: str, jobs: Sequence[str] = ()) -> dict[str, str]:
    """Labels that put a PVC's volume into recurring-job ``groups`` (and single ``jobs``).

    Includes ``recurring-job.longhorn.io/source: enabled``, without which
    Longhorn ignores recurring-job labels on a PVC.
    """
    labels = {"recurring-job.longhorn.io/source": "enabled"}
    labels.update({f"recurring-job-group.longhorn.io/{g}": "enabled" for g in groups})
    labels.update({f"recurring-job.longhorn.io/{j}": "enabled" for j in jobs})
    return labels


def setting(name: str, value: str | int | bool) -> lh.Setting:
    """A Longhorn ``Setting``; the value is written as the string Longhorn expects."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return lh.Setting(metadata=meta.ObjectMeta(name=name, namespace=NAMESPACE), value=text)


def default_settings(*, replica_count: int = 3, auto_salvage: bool = True) -> list[lh.Setting]:
    """``auto-salvage`` and ``default-replica-count`` (the latter for volumes made in the UI)."""
    return [setting("auto-salvage", auto_salvage), setting("default-replica-count", replica_count)]


def backup_target(
    url: str, *, credential_secret: str | None = None, poll_interval: str = "300s"
) -> lh.BackupTarget:
    """The ``default`` BackupTarget: ``s3://bucket@region/path``, ``nfs://host:/export``, ...

    ``credential_secret`` names a Secret in ``longhorn-system`` (for S3:
    ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, optional ``AWS_ENDPOINTS``);
    kustgen never writes the credentials themselves.
    """
    if "://" not in url:
        raise InputError(
            f"{url!r} is not a backup target URL",
            obj="BackupTarget/default",
            field="spec.backupTargetURL",
        )
    return lh.BackupTarget(
        metadata=meta.ObjectMeta(name="default", namespace=NAMESPACE),
        spec=lh.BackupTargetSpec(
            backup_target_url=url, credential_secret=credential_secret, poll_interval=poll_interval
        ),
    )


def longhorn_base(
    name: str = "longhorn",
    *,
    default_class: core.ConfigMap | None = None,
    storage_classes: Sequence[storage.StorageClass] | None = None,
    jobs: Sequence[lh.RecurringJob] | None = None,
    settings: Sequence[lh.Setting] | None = None,
    target: lh.BackupTarget | None = None,
) -> Base:
    """Longhorn's configuration as a base; the defaults give a sensible small setup.

    Defaults: the ``longhorn`` class config (Delete), ``longhorn-retain``, a
    nightly snapshot and a weekly backup job in group ``default``, and
    ``auto-salvage``/``default-replica-count``.  No backup target unless given.
    The base declares that it stands on ``longhorn-system``, which Longhorn's
    installation creates, so validation needs no ``External`` for it.
    """
    objects: list[object] = [
        default_class if default_class is not None else default_class_config(),
        *(storage_classes if storage_classes is not None else [storage_class()]),
        *(jobs if jobs is not None else default_jobs()),
        *(settings if settings is not None else default_settings()),
    ]
    if target is not None:
        objects.append(target)
    # longhorn-system is created by Longhorn's installation (install()), not here.
    return Base(
        name=name,
        objects=objects,  # type: ignore[arg-type]
        external=External(namespaces=[NAMESPACE]),
    )


def default_jobs(groups: Sequence[str] = ("default",)) -> list[lh.RecurringJob]:
    """A nightly snapshot (keep 7) and a weekly backup (keep 4) for ``groups``."""
    return [
        recurring_job(
            "snapshot-nightly",
            task="snapshot",
            cron="0 2 * * *",
            retain=7,
            concurrency=2,
            groups=groups,
        ),
        recurring_job(
            "backup-weekly", task="backup", cron="0 3 * * 0", retain=4, concurrency=1, groups=groups
        ),
    ]


#: Lint findings that are expected of the installation, for ``Cluster(lint_ignore=...)``
#: when an environment includes :func:`install`: two Services select pods that
#: longhorn-manager labels at run time, so no pod template matches them.
INSTALL_LINT_IGNORE: dict[str, list[str]] = {
    "Service/longhorn-system/longhorn-admission-webhook": ["service-selector"],
    "Service/longhorn-system/longhorn-recovery-backend": ["service-selector"],
}


def install(name: str = "longhorn-install") -> Base:
    """Longhorn v1.12.1 itself -- CRDs, RBAC, manager, driver, UI, the default
    settings ConfigMap -- as typed objects, vendored from the pinned upstream
    manifest (``kustgen/catalog/installs/longhorn_v1_12_1.py``, generated by
    ``python -m kustgen.codegen installs``).  Builds offline; environments change
    it like any other base (e.g. ``default-setting.yaml`` of the
    ``longhorn-default-setting`` ConfigMap).  Apply it before the configuration
    (:func:`longhorn_base`): the configuration's kinds need its CRDs.
    """
    from kustgen.catalog.installs import longhorn_v1_12_1 as upstream

    return Base(name=name, objects=upstream.objects())
