"""The user's cache (kustgen.usercache): plans and YAML texts kept between runs.

Each test stands for several runs of kustgen: a fresh ``UserCache`` (nothing
in memory) on one directory, and the in-process render cache cleared.  What
a run reads from the cache must always be exactly what it would compute
without one; which computations it skipped is what ``cache.misses`` and the
memo counters show.
"""

from __future__ import annotations

import json
import os
import pickle
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kustgen import Base, ConfigMapGenerator, Environment, InputError, Objects, Overlay, yamlio
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta
from kustgen.layout import layout_directory
from kustgen.plan import Plan, PlanWarning, Request
from kustgen.plan import cache as plan_cache
from kustgen.plan.environment import desired_objects
from kustgen.render.cache import SHARED
from kustgen.usercache import UserCache, activated, inside, tree_digest

LABELS = {"app": "web"}


def web_base(image: str = "nginx:1.27", replicas: int = 1) -> Base:
    deployment = apps.Deployment(
        metadata=meta.ObjectMeta(name="web", namespace="web", labels=LABELS),
        spec=apps.DeploymentSpec(
            replicas=replicas,
            selector=meta.LabelSelector(match_labels=LABELS),
            template=core.PodTemplateSpec(
                metadata=meta.ObjectMeta(labels=LABELS),
                spec=core.PodSpec(containers=[core.Container(name="web", image=image)]),
            ),
        ),
    )
    service = core.Service(
        metadata=meta.ObjectMeta(name="web", namespace="web"),
        spec=core.ServiceSpec(selector=LABELS, ports=[core.ServicePort(port=80)]),
    )
    return Base(name="web", objects=[deployment, service])


def production(tag: str = "1.28", replicas: int = 3) -> Callable[[Objects], None]:
    def change(objs: Objects) -> None:
        objs.label({"environment": "production"})
        web = objs.get(apps.Deployment, "web", "web")
        assert web.spec is not None and web.spec.template.spec is not None
        web.spec.replicas = replicas
        web.spec.template.spec.containers[0].image = f"nginx:{tag}"

    return change


@pytest.fixture(autouse=True)
def fresh_process() -> Iterator[None]:
    SHARED.clear()
    yield
    SHARED.clear()


def run(directory: Path, make: Callable[[], Environment], fingerprint: str = "kustgen-a"
        ) -> tuple[Plan, list[str]]:
    """One run: a new process's cache on ``directory``, an environment planned."""
    SHARED.clear()
    cache = UserCache(directory, fingerprint)
    with activated(cache):
        plan = make().plan
    return plan, cache.misses


def uncached(make: Callable[[], Environment]) -> Plan:
    SHARED.clear()
    return make().plan


def same_plan(a: Plan, b: Plan) -> bool:
    """The same overlay, written the same, rendering the same objects."""
    return a == b and layout_directory(a.result) == layout_directory(b.result)


def test_a_run_that_changed_nothing_plans_nothing(tmp_path: Path) -> None:
    def make() -> Environment:
        return Environment(name="production", bases=[web_base()], change=production())

    first, misses = run(tmp_path, make)
    assert misses == ["start production", "plan production"]
    again, misses = run(tmp_path, make)
    assert misses == []
    assert same_plan(again, first) and same_plan(again, uncached(make))
    assert isinstance(again.result, Overlay)
    assert isinstance(first.result, Overlay)
    assert again.result.bases[0] is not first.result.bases[0]  # the request's own, not copies


@pytest.mark.parametrize("edit", ["the change", "a base object", "a generator", "a local file",
                                  "the name"])
def test_an_edit_plans_again_and_gets_the_plan_of_a_run_without_cache(
        tmp_path: Path, edit: str) -> None:
    def make(edited: bool = False) -> Environment:
        generators = [ConfigMapGenerator(name="web", literals=["a=1"], envs=["web.env"])]
        if edited and edit == "a generator":
            generators = [ConfigMapGenerator(name="web", literals=["a=2"], envs=["web.env"])]
        files: dict[str, str | bytes] = {"web.env": "B=1\n"}
        if edited and edit == "a local file":
            files = {"web.env": "B=2\n"}
        return Environment(
            name="staging" if edited and edit == "the name" else "production",
            bases=[web_base(image="nginx:1.26" if edited and edit == "a base object"
                            else "nginx:1.27")],
            change=production(tag="1.29" if edited and edit == "the change" else "1.28"),
            config_maps=generators, local_files=files)

    before, _ = run(tmp_path, make)
    after, misses = run(tmp_path, lambda: make(edited=True))
    assert "plan production" in misses or "plan staging" in misses
    base_changed = edit in ("a base object", "the name", "a local file")  # the tree rendered
    assert any(m.startswith("start") for m in misses) == base_changed
    assert same_plan(after, uncached(lambda: make(edited=True)))
    assert not same_plan(after, before)
    back, misses = run(tmp_path, make)  # and the first input still has its own plan
    assert misses == [] and same_plan(back, before)


def test_a_new_kustgen_never_reuses_a_plan(tmp_path: Path) -> None:
    def make() -> Environment:
        return Environment(name="production", bases=[web_base()], change=production())

    run(tmp_path, make, fingerprint="kustgen-a")
    _, misses = run(tmp_path, make, fingerprint="kustgen-b")
    assert misses == ["start production", "plan production"]


def test_damaged_entries_are_misses(tmp_path: Path) -> None:
    def make() -> Environment:
        return Environment(name="production", bases=[web_base()], change=production())

    first, _ = run(tmp_path, make)
    for kind in ("plans", "renders"):
        for entry in (tmp_path / kind).iterdir():
            entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    again, misses = run(tmp_path, make)
    assert misses == ["start production", "plan production"]
    assert same_plan(again, first)


class _Evil:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("echo pwned",))


def test_a_stored_plan_makes_nothing_but_kustgen_overlay_types(tmp_path: Path) -> None:
    """An entry is only read back through an unpickler that refuses every other class."""
    def make() -> Environment:
        return Environment(name="production", bases=[web_base()], change=production())

    first, _ = run(tmp_path, make)
    [entry] = list((tmp_path / "plans").iterdir())
    entry.write_bytes(pickle.dumps(_Evil()))
    again, misses = run(tmp_path, make)
    assert misses == ["plan production"] and same_plan(again, first)
    env = make()
    start, _ = plan_cache.start(env.name, env.bases, env.components)
    request = Request(name=env.name, bases=env.bases, components=env.components,
                      desired=desired_objects(start, env.change))
    assert plan_cache._load(pickle.dumps(_Evil()), request) is None
    assert plan_cache._load(pickle.dumps({"a": 1}), request) is None
    assert plan_cache._load(entry.read_bytes(), request) == first


def test_the_planners_notes_come_back_with_a_stored_plan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def make() -> Environment:
        return Environment(name="production", bases=[web_base()], change=production(),
                           config_maps=[ConfigMapGenerator(name="web", envs=["kept.env"])])

    with warnings.catch_warnings(record=True) as first:
        warnings.simplefilter("always")
        run(tmp_path, make)
    with warnings.catch_warnings(record=True) as second:
        warnings.simplefilter("always")
        _, misses = run(tmp_path, make)
    assert misses == []
    notes = [str(w.message) for w in first if issubclass(w.category, PlanWarning)]
    assert notes and notes == [str(w.message) for w in second
                               if issubclass(w.category, PlanWarning)]


def test_an_input_without_an_exact_form_is_planned_every_time(tmp_path: Path) -> None:
    class Odd(str):  # a value whose text would not say its type
        pass

    def make() -> Environment:
        def change(objs: Objects) -> list[Any]:
            found = list(objs)
            found.append({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "odd", "namespace": "web"},
                          "data": {"a": Odd("1")}})
            return found

        return Environment(name="production", bases=[web_base()], change=change)

    run(tmp_path, make)
    _, misses = run(tmp_path, make)
    assert "plan production" in misses


def test_plans_of_the_default_cluster_read_back_equal(tmp_path: Path) -> None:
    """Every environment of the embedded default: the stored plan is the planned one."""
    import kustgen.default as default

    for env in (default.staging, default.production):
        def make(env: Environment = env) -> Environment:
            return Environment(name=env.name, bases=env.bases, change=env.change)

        first, _ = run(tmp_path, make)
        again, misses = run(tmp_path, make)
        assert misses == [] and same_plan(again, first) and same_plan(again, env.plan)


# -- YAML texts -----------------------------------------------------------------------------

def counted(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """Calls of ``yamlio.<name>`` from now on (the real function still runs)."""
    calls: list[Any] = []
    real = getattr(yamlio, name)

    def spy(value: Any, **kwargs: Any) -> Any:
        calls.append(value)
        return real(value, **kwargs)

    monkeypatch.setattr(yamlio, name, spy)
    return calls


def test_dump_file_is_dump_and_remembers_by_exact_content(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs: list[dict[str, Any]] = [
        {"a": "1"}, {"a": 1}, {"a": 1.5}, {"a": True}, {"a": None}, {"a": ["x"]},
        {"a": {"b": "yes"}}, {"kind": "x", "data": {"text": "line\nline\n"}},
    ]
    expected = [yamlio.dump(d) for d in docs]
    assert len(set(expected)) == len(docs)
    dumped = counted(monkeypatch, "dump")
    with activated(UserCache(tmp_path, "kustgen-a")):  # a first run fills the memo
        assert [yamlio.dump_file(d) for d in docs] == expected
    assert len(dumped) == len(docs)
    with activated(UserCache(tmp_path, "kustgen-a")):  # a second one reads it
        assert [yamlio.dump_file(d) for d in docs] == expected
        assert yamlio.dump_file({"a": "2"}) == "a: \"2\"\n"
    assert dumped[len(docs):] == [{"a": "2"}]  # only the new document was dumped


def test_dump_file_never_answers_for_a_document_kubectl_cannot_take(tmp_path: Path) -> None:
    with activated(UserCache(tmp_path, "kustgen-a")):
        assert yamlio.dump_file({"1": "a"}) == '"1": a\n'
    with activated(UserCache(tmp_path, "kustgen-a")), pytest.raises(InputError):
        yamlio.dump_file({1: "a"})  # type: ignore[dict-item]


def test_a_damaged_memo_is_read_as_empty(tmp_path: Path) -> None:
    with activated(UserCache(tmp_path, "kustgen-a")):
        yamlio.dump_file({"a": "b"})
    [memo] = list((tmp_path / "memo").iterdir())
    key = next(iter(json.loads(memo.read_text())))
    memo.write_text(json.dumps({key: 7}))  # a value that is not a text
    cache = UserCache(tmp_path, "kustgen-a")
    with activated(cache):
        assert yamlio.dump_file({"a": "b"}) == "a: b\n"
    memo.write_text("{not json")
    with activated(UserCache(tmp_path, "kustgen-a")):
        assert yamlio.dump_file({"a": "b"}) == "a: b\n"


def test_load_file_is_load_all_and_keeps_only_what_json_keeps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["a: 1\n", "a: '1'\n---\nb: [x]\n", "when: 2024-01-01\n"]
    expected = [yamlio.load_all(t) for t in texts]
    loaded = counted(monkeypatch, "load_all")
    for _ in range(2):
        with activated(UserCache(tmp_path, "kustgen-a")):
            assert [yamlio.load_file(t) for t in texts] == expected
    # the timestamp (a datetime, not JSON) is parsed each time; the others once
    assert loaded == [*texts, texts[2]]


def test_concurrent_runs_at_worst_redo_work(tmp_path: Path) -> None:
    """Two runs that save at once: each file is one run's whole content."""
    first, second = UserCache(tmp_path, "kustgen-a"), UserCache(tmp_path, "kustgen-a")
    with activated(first):
        yamlio.dump_file({"a": "1"})
    with activated(second):
        yamlio.dump_file({"b": "2"})
    [memo] = list((tmp_path / "memo").iterdir())
    assert len(json.loads(memo.read_text())) in (1, 2)
    assert not [p for p in (tmp_path / "memo").iterdir() if p.name.startswith(".tmp-")]


def test_tree_digest_sees_every_path_and_byte() -> None:
    base = {"a/b": "x", "a/c": b"y"}
    assert tree_digest(base) == tree_digest(dict(reversed(base.items())))
    assert tree_digest(base) != tree_digest({"a/b": "x", "a/c": b"z"})
    assert tree_digest(base) != tree_digest({"a/b": "x", "a/d": b"y"})
    assert tree_digest({"a": "b\0c"}) != tree_digest({"a": "b", "c": ""})


def test_a_cache_inside_an_untrusted_root_is_named(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    assert inside(repository / ".cache", [repository]) == repository
    assert inside(tmp_path / "cache", [repository]) is None


def test_the_cli_plans_a_no_op_from_the_cache(tmp_path: Path) -> None:
    """`kustgen build` twice: the second run's objects come from the cache, the
    tree is byte-identical, and `--check` holds."""
    import subprocess
    import sys

    env = {**os.environ, "KUSTGEN_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "kustgen.cli", "build", "--out", str(tmp_path / "out")]
    subprocess.run(command, env=env, check=True, capture_output=True)
    plans = sorted((tmp_path / "cache" / "plans").iterdir())
    assert len(plans) == 2  # staging and production of the embedded default
    written = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    stamps = {p: p.stat().st_mtime_ns for p in plans}
    subprocess.run(command, env=env, check=True, capture_output=True)
    subprocess.run([*command, "--check"], env=env, check=True, capture_output=True)
    assert {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()} == written
    assert {p: p.stat().st_mtime_ns for p in plans} == stamps  # nothing planned again
