"""The validation cache: a no-op recomputes nothing, an edit only what it changed,
and the findings are always those of a run without a cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kustgen import Base, Cluster, External, Label, Overlay, Patch
from kustgen.render.cache import SHARED
from kustgen.validate import validate
from kustgen.validate.cache import ValidationCache, cache_dir_from_env, fingerprint

ENVS = ("dev", "staging", "production")


def app(index: int, tag: str) -> list[dict[str, Any]]:
    name = f"app-{index}"
    labels = {"app.kubernetes.io/name": name}
    meta = {"name": name, "namespace": "apps"}
    container = {"name": name, "image": f"registry.example/{name}:{tag}",
                 "ports": [{"name": "http", "containerPort": 8080}]}
    if index != 1:  # app-1 requests nothing: a warning in every environment
        container["resources"] = {"requests": {"cpu": "10m"}}
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
         "spec": {"selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels},
                               "spec": {"containers": [container]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": meta,
         # app-3's Service names a port its pods do not have: an error everywhere
         "spec": {"selector": labels, "ports": [
             {"port": 80, "targetPort": "http" if index != 3 else "web"}]}},
    ]


def cluster(tags: dict[int, str] | None = None, apps: int = 5) -> Cluster:
    tags = tags or {}
    bases = [Base(name=f"app-{i}", objects=app(i, tags.get(i, "1.0"))) for i in range(apps)]
    overlays = [
        Overlay(name=env, bases=bases, labels=[Label(pairs={"environment": env})],
                patches=[Patch.strategic(bases[0].objects[0], {"spec": {"replicas": 2}})])
        for env in ENVS
    ]
    return Cluster(name="cached", overlays=overlays, external=External(namespaces=["apps"]))


@pytest.fixture(autouse=True)
def fresh_process() -> Iterator[None]:
    """Each run below stands for a new process: nothing remembered in memory."""
    SHARED.clear()
    yield
    SHARED.clear()


def run(directory: Path, c: Cluster, crd_files: list[Path] | None = None
        ) -> tuple[list[Any], ValidationCache]:
    SHARED.clear()
    cache = ValidationCache.open(directory, crd_files or [])
    return validate(c, crd_files=crd_files or [], cache=cache), cache


def cold(c: Cluster) -> list[Any]:
    SHARED.clear()
    return validate(c)


def test_a_cold_run_computes_everything_and_finds_what_an_uncached_run_finds(
        tmp_path: Path) -> None:
    found, cache = run(tmp_path, cluster())
    assert found == cold(cluster())
    assert {f.rule for f in found} == {"container-requests", "service-target-port"}
    assert cache.stats.envs == list(ENVS)
    assert cache.stats.checked == 10 * len(ENVS)
    assert sorted(cache.stats.rendered) == sorted(
        [*(f"overlays/{env}" for env in ENVS), *(f"bases/app-{i}" for i in range(5))])


def test_a_no_op_renders_and_checks_nothing(tmp_path: Path) -> None:
    first, _ = run(tmp_path, cluster())
    again, cache = run(tmp_path, cluster())
    assert again == first
    assert (cache.stats.envs, cache.stats.rendered, cache.stats.checked) == ([], [], 0)


def test_after_one_image_tag_changed_only_that_app_is_built_and_checked_again(
        tmp_path: Path) -> None:
    run(tmp_path, cluster())
    edited = cluster({2: "1.1"})
    found, cache = run(tmp_path, edited)
    assert found == cold(edited)
    assert cache.stats.envs == list(ENVS)  # every environment includes app-2
    # The overlays are built again on top of the cached bases; of the bases only app-2.
    assert sorted(cache.stats.rendered) == sorted(
        [*(f"overlays/{env}" for env in ENVS), "bases/app-2"])
    assert cache.stats.checked == len(ENVS)  # app-2's Deployment, once per environment


def test_lint_configuration_and_ignores_are_never_taken_from_an_older_run(
        tmp_path: Path) -> None:
    run(tmp_path, cluster())
    c = cluster()
    c.external = External(namespaces=[])  # now the namespace is unknown: new findings
    found, cache = run(tmp_path, c)
    assert found == cold(c) and any(f.rule == "namespace-unknown" for f in found)
    assert cache.stats.checked == 0  # the objects themselves are unchanged
    c.lint_ignore = {"Service/apps/app-3": ["service-target-port"]}
    found, _ = run(tmp_path, c)
    assert found == cold(c) and not any(f.rule == "service-target-port" for f in found)


def test_another_fingerprint_shares_nothing(tmp_path: Path) -> None:
    c = cluster()
    validate(c, cache=ValidationCache(tmp_path, "one"))
    SHARED.clear()
    other = ValidationCache(tmp_path, "two")
    assert validate(c, cache=other) == cold(c)
    assert other.stats.checked == 10 * len(ENVS) and len(other.stats.rendered) == 8


def test_a_changed_crd_file_changes_the_fingerprint(tmp_path: Path) -> None:
    crd = tmp_path / "crd.yaml"
    crd.write_text("kind: CustomResourceDefinition\n")
    before = fingerprint([crd])
    crd.write_text("kind: CustomResourceDefinition\n# changed\n")
    assert fingerprint([crd]) != before != fingerprint([])


def test_unreadable_entries_are_misses(tmp_path: Path) -> None:
    run(tmp_path, cluster())
    for path in tmp_path.rglob("*.json*"):
        path.write_text("{not json" if path.suffix == ".json" else f"{'0' * 64}\t[[not json\n")
    found, cache = run(tmp_path, cluster())
    assert found == cold(cluster()) and cache.stats.checked == 10 * len(ENVS)


def test_where_the_cache_lives() -> None:
    home = {"HOME": "/home/u"}
    assert cache_dir_from_env(home) == Path("/home/u/.cache/kustgen")
    assert cache_dir_from_env({**home, "XDG_CACHE_HOME": "/x"}) == Path("/x/kustgen")
    assert cache_dir_from_env({**home, "KUSTGEN_CACHE_DIR": "/c"}) == Path("/c")
    assert cache_dir_from_env({**home, "KUSTGEN_CACHE": "off"}) is None


def test_validation_renders_nothing_the_planner_rendered_already() -> None:
    from kustgen import Environment, Objects

    bases = [Base(name=f"app-{i}", objects=app(i, "1.0")) for i in range(3)]

    def bigger(objs: Objects) -> None:
        objs.label({"environment": "big"})

    c = Cluster(name="planned", external=External(namespaces=["apps"]), overlays=[
        Environment(name=env, bases=bases, change=bigger).overlay() for env in ("a", "b")])
    SHARED.built.clear()
    found = validate(c)
    assert not [d for d in SHARED.built if d.startswith("overlays/")]
    assert found == cold(c)


def _validate_in_a_process(directory: str, tag: str) -> list[Any]:
    found, _ = run(Path(directory), cluster({2: tag}))
    return found


def test_concurrent_runs_share_one_cache_safely(tmp_path: Path) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    tags = ["1.0", "1.1", "1.0", "1.2"]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_validate_in_a_process, [str(tmp_path)] * len(tags), tags))
    for tag, found in zip(tags, results, strict=True):
        assert found == cold(cluster({2: tag}))
    assert not list(tmp_path.rglob(".tmp-*"))  # every write was renamed into place
    again, cache = run(tmp_path, cluster({2: "1.1"}))
    assert again == cold(cluster({2: "1.1"})) and cache.stats.checked == 0


def test_what_a_base_declares_is_part_of_the_key(tmp_path: Path) -> None:
    c = cluster()
    c.external = External()
    run(tmp_path, c)
    for base in c.overlays[0].bases:
        base.external = External(namespaces=["apps"])  # every environment uses these bases
    found, cache = run(tmp_path, c)
    assert found == cold(c) and not any(f.rule == "namespace-unknown" for f in found)
    assert cache.stats.envs == list(ENVS)
