"""No secret value reaches a written file without a named opt-in, by any route."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kustgen import Base, Cluster, Component, Environment, Overlay, Patch, SecretGenerator
from kustgen.build import check, write
from kustgen.errors import PlaintextSecretError
from kustgen.k8s import core_v1 as core
from kustgen.layout import layout
from kustgen.lint import tree_findings
from kustgen.plan import Objects

VALUE = "hunter2-do-not-commit"


def secret(name: str = "db", **fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "web"},
            **fields}


def config_map(name: str = "settings") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "web"}, "data": {"mode": "on"}}


def app(*extra: dict[str, Any]) -> Base:
    return Base(name="app", objects=[config_map(), *extra])


def used(*bases: Base, **cluster: Any) -> Cluster:
    return Cluster(name="t", overlays=[Overlay(name="dev", bases=list(bases))], **cluster)


def _literals_assigned_later() -> Cluster:
    generator = SecretGenerator(name="db", namespace="web")
    generator.literals = [f"password={VALUE}"]  # after construction: __post_init__ never saw it
    return used(Base(name="app", objects=[config_map()], secret_generators=[generator]))


def _deleted_by_every_overlay() -> Cluster:
    base = app(secret(stringData={"password": VALUE}))

    def drop(objs: Objects) -> None:
        objs.remove(secret())

    return Cluster(name="t", overlays=[
        Environment(name="dev", bases=[base], change=drop).overlay(),
        Environment(name="prod", bases=[base], change=drop).overlay(),
    ])


def _set_by_an_environment() -> Cluster:
    base = app(secret(type="Opaque"))

    def fill(objs: Objects) -> None:
        objs.get(core.Secret, "db").string_data = {"password": VALUE}

    env = Environment(name="dev", bases=[base], change=fill)
    return Cluster(name="t", overlays=[env.overlay()])


def _strategic_patch() -> Cluster:
    target = secret(type="Opaque")
    overlay = Overlay(name="dev", bases=[app(target)],
                      patches=[Patch.strategic(target, {"stringData": {"password": VALUE}})])
    return Cluster(name="t", overlays=[overlay])


def _json_patch() -> Cluster:
    target = secret(type="Opaque")
    op = {"op": "add", "path": "/stringData", "value": {"password": VALUE}}
    overlay = Overlay(name="dev", bases=[app(target)], patches=[Patch.json(target, [op])])
    return Cluster(name="t", overlays=[overlay])


ROUTES: dict[str, Callable[[], Cluster]] = {
    "base every overlay uses": lambda: used(app(secret(stringData={"password": VALUE}))),
    "base no overlay uses": lambda: Cluster(
        name="t", bases=[Base(name="spare", objects=[secret(data={"password": "aHVudGVy"})])],
        overlays=[Overlay(name="dev", bases=[app()])]),
    "install": lambda: Cluster(
        name="t", installs=[Base(name="vendor", objects=[secret(stringData={"k": VALUE})])],
        overlays=[Overlay(name="dev", bases=[app()])]),
    "component no overlay includes": lambda: Cluster(
        name="t", components=[Component(name="extra", objects=[secret(stringData={"k": VALUE})])],
        overlays=[Overlay(name="dev", bases=[app()])]),
    "object only an overlay has": lambda: Cluster(name="t", overlays=[
        Overlay(name="dev", bases=[app()], objects=[secret(stringData={"k": VALUE})])]),
    "base every overlay deletes it from": _deleted_by_every_overlay,
    "secret in a List": lambda: used(app({
        "apiVersion": "v1", "kind": "List", "metadata": {"name": "bundle"},
        "items": [secret(stringData={"k": VALUE})]})),
    "last-applied annotation": lambda: used(app(secret(metadata={
        "name": "db", "namespace": "web", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration":
                '{"apiVersion":"v1","kind":"Secret","stringData":{"k":"' + VALUE + '"}}'}}))),
    "generator literals assigned after construction": _literals_assigned_later,
    "generator reading a generated file": lambda: used(Base(
        name="app", objects=[config_map()],
        secret_generators=[SecretGenerator(name="db", files=["configmap-settings.yaml"])])),
    "environment setting stringData": _set_by_an_environment,
    "strategic patch": _strategic_patch,
    "json6902 patch": _json_patch,
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_route_is_refused_before_anything_is_written(tmp_path: Path, route: str) -> None:
    cluster = ROUTES[route]()
    with pytest.raises(PlaintextSecretError) as caught:
        write(cluster, tmp_path / "out")  # no validation ran: this is the writer's own check
    assert caught.value.exit_code == 2
    assert "\n" not in caught.value.format()
    assert not (tmp_path / "out").exists()
    with pytest.raises(PlaintextSecretError):
        check(cluster, tmp_path / "out")
    findings = tree_findings(cluster)
    assert findings and {f.rule for f in findings} == {"secret-plaintext"}


def test_the_route_tests_would_see_the_value_without_the_check() -> None:
    """Each route really writes the value somewhere (else the test above proves nothing)."""
    for route, make in ROUTES.items():
        text = "".join(layout(make()).values())
        assert VALUE in text or "aHVudGVy" in text or "configmap-settings.yaml" in text, route


def test_named_opt_ins_are_the_only_way_through(tmp_path: Path) -> None:
    demo = secret("demo", stringData={"token": "not-secret"})
    generator = SecretGenerator(name="gen", namespace="web", literals=["a=b"], allow_plaintext=True)
    cluster = used(Base(name="app", objects=[config_map(), demo], secret_generators=[generator]),
                   allow_plaintext=["Secret/web/demo"])
    write(cluster, tmp_path)
    assert "not-secret" in (tmp_path / "bases/app/secret-demo.yaml").read_text()
    assert tree_findings(cluster) == []
    with pytest.raises(PlaintextSecretError, match="Secret/web/other"):
        write(used(app(secret("other", stringData={"k": "v"})),
                   allow_plaintext=["Secret/web/demo"]), tmp_path)


def test_lint_ignore_does_not_silence_it() -> None:
    cluster = used(app(secret(stringData={"k": VALUE})),
                   lint_ignore={"Secret/web/db": ["secret-plaintext"]})
    assert [f.rule for f in tree_findings(cluster)] == ["secret-plaintext"]


def test_secrets_without_values_and_references_to_secrets_pass() -> None:
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "w", "namespace": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "w", "image": "w:1", "envFrom": [
            {"secretRef": {"name": "db"}}]}]}}},
    }
    cluster = used(app(secret(type="kubernetes.io/service-account-token", data={}), deployment))
    assert tree_findings(cluster) == []


def test_default_cluster_has_no_plaintext_values() -> None:
    from kustgen.default import cluster

    assert tree_findings(cluster) == []


def test_allow_plaintext_entries_are_checked() -> None:
    from kustgen.errors import InputError

    with pytest.raises(InputError, match="allow_plaintext"):
        used(app(), allow_plaintext="Secret/web/db")
