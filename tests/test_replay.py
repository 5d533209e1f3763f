"""A no-op build reuses the recorded outcome only while nothing it read has changed
(kustgen.replay): every kind of input the recorder watches, the things that make
a run unrecordable, and the CLI end to end in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kustgen.replay import Outcome, Recorder, command_key, lookup, store
from kustgen.usercache import UserCache

AN_HOUR_AGO = time.time() - 3600


def backdate(*paths: Path) -> None:
    """Files written by a test are older than any run's racy window, as a user's are."""
    for path in paths:
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "values.txt").write_text("1.25\n")
    (folder / "listed").mkdir()
    (folder / "listed" / "a.yaml").write_text("a: 1\n")
    backdate(folder / "values.txt", folder / "listed" / "a.yaml")
    return folder


def record(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    monkeypatch.setenv("REPLAY_SET", "yes")
    monkeypatch.delenv("REPLAY_UNSET", raising=False)
    with Recorder(ignored=[folder / "ignored"]) as recorder:
        (folder / "values.txt").read_text()
        sorted(os.listdir(folder / "listed"))
        (folder / "optional.txt").exists()
        os.environ.get("REPLAY_SET")
        os.getenv("REPLAY_UNSET")
    return recorder


def test_every_kind_of_read_is_recorded(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = record(inputs, monkeypatch)
    reads = recorder.finish(modules=())
    assert reads is not None, recorder.unrecordable
    assert str(inputs / "values.txt") in reads.files
    assert reads.listings[str(inputs / "listed")] == "a.yaml"
    assert reads.probes[(str(inputs / "optional.txt"), True)] == "absent"
    assert reads.environment == {"REPLAY_SET": "yes", "REPLAY_UNSET": None}
    assert reads.whole_environment is None
    assert reads.changed() is None


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda f: (f / "values.txt").write_text("1.26\n"), "values.txt"),
        (lambda f: (f / "listed" / "b.yaml").write_text("b: 2\n"), "listed"),
        (lambda f: (f / "listed" / "a.yaml").unlink(), "listed"),
        (lambda f: (f / "optional.txt").write_text(""), "optional.txt"),
        (lambda f: (f / "values.txt").unlink(), "values.txt"),
    ],
    ids=["edited", "added-to-listed", "removed-from-listed", "probed-appears", "read-removed"],
)
def test_a_changed_file_or_directory_is_a_change(
    inputs: Path, monkeypatch: pytest.MonkeyPatch, change: object, named: str
) -> None:
    recorder = record(inputs, monkeypatch)
    reads = recorder.finish(modules=())
    assert reads is not None, recorder.unrecordable
    change(inputs)  # type: ignore[operator]
    found = reads.changed()
    assert found is not None and named in found


@pytest.mark.parametrize(("name", "value"), [("REPLAY_SET", "no"), ("REPLAY_UNSET", "now")])
def test_a_changed_environment_variable_is_a_change(
    inputs: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    recorder = record(inputs, monkeypatch)
    reads = recorder.finish(modules=())
    assert reads is not None, recorder.unrecordable
    monkeypatch.setenv(name, value)
    assert reads.changed() == f"environment variable {name}"


def test_a_touched_file_with_the_same_bytes_is_no_change(
    inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = record(inputs, monkeypatch)
    reads = recorder.finish(modules=())
    assert reads is not None, recorder.unrecordable
    (inputs / "values.txt").write_text("1.25\n")  # new mtime, same content
    assert reads.changed() is None
    (inputs / "values.txt").write_text("1.52\n")  # same size, new content
    assert reads.changed() is not None


def test_a_file_modified_just_before_the_run_read_it_is_not_recorded(
    inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within the file system's timestamp resolution a later edit could keep its
    signature (git's "racily clean" case): such a run is not recorded."""
    (inputs / "values.txt").write_text("1.25\n")
    recorder = record(inputs, monkeypatch)
    assert recorder.finish(modules=()) is None
    assert "just before the run read it" in str(recorder.unrecordable)


@pytest.mark.parametrize(
    "change",
    [
        lambda f: (f / "listed" / "b.yaml").write_text(""),
        lambda f: (f / "optional.txt").write_text(""),
    ],
    ids=["listed", "probed"],
)
def test_a_directory_or_path_changed_during_the_run_is_not_recorded(
    inputs: Path, change: object
) -> None:
    with Recorder() as recorder:
        os.listdir(inputs / "listed")
        (inputs / "optional.txt").exists()
    change(inputs)  # type: ignore[operator]
    assert recorder.finish(modules=()) is None
    assert "changed while the run used it" in str(recorder.unrecordable)


def test_a_module_loaded_while_recording_is_checked_by_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "replay_probe_module.py"
    module.write_text("VALUE = 1\n")
    backdate(module)
    monkeypatch.syspath_prepend(str(tmp_path))
    with Recorder() as recorder:
        import replay_probe_module  # noqa: F401
    reads = recorder.finish(modules=[str(module)])
    assert reads is not None, recorder.unrecordable
    assert str(module) in reads.files
    assert reads.changed() is None
    module.write_text("VALUE = 2\n")
    assert reads.changed() == f"file {module}"


def test_a_module_loaded_before_recording_and_just_edited_cannot_be_recorded(
    tmp_path: Path,
) -> None:
    module = tmp_path / "fresh.py"
    module.write_text("VALUE = 1\n")
    with Recorder() as recorder:
        pass
    assert recorder.finish(modules=[str(module)]) is None
    assert "loaded before the recording" in str(recorder.unrecordable)


def test_a_file_changed_while_the_run_used_it_cannot_be_recorded(inputs: Path) -> None:
    with Recorder() as recorder:
        (inputs / "values.txt").read_text()
        (inputs / "listed" / "a.yaml").write_bytes(b"a: 1\n")  # (a write too)
    assert recorder.finish(modules=()) is None
    with Recorder() as recorder:
        (inputs / "values.txt").read_text()
    os.utime(inputs / "values.txt")
    assert recorder.finish(modules=()) is None


@pytest.mark.parametrize(
    "effect",
    [
        lambda f: subprocess.run(["true"], check=True),
        lambda f: (f / "written.txt").write_text("x"),
        lambda f: (f / "values.txt").rename(f / "moved.txt"),
        lambda f: os.environ.__setitem__("REPLAY_WRITTEN", "1"),
        lambda f: os.chdir(f),
    ],
    ids=["process", "write", "rename", "set-environment", "chdir"],
)
def test_a_run_with_effects_is_not_recorded(inputs: Path, effect: object) -> None:
    here = os.getcwd()
    try:
        with Recorder() as recorder:
            effect(inputs)  # type: ignore[operator]
    finally:
        os.chdir(here)
        os.environ.pop("REPLAY_WRITTEN", None)
    assert recorder.opaque is not None
    assert recorder.finish(modules=()) is None


def test_writes_into_an_ignored_directory_and_bytecode_are_no_effect(inputs: Path) -> None:
    cache = inputs / "ignored"
    with Recorder(ignored=[cache]) as recorder:
        cache.mkdir()
        (cache / "entry.json").write_text("{}")
        (inputs / "values.txt").read_text()
    assert recorder.opaque is None
    assert recorder.finish(modules=()) is not None


def test_iterating_the_environment_keys_on_all_of_it(
    inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Recorder() as recorder:
        dict(os.environ)
    reads = recorder.finish(modules=())
    assert reads is not None and reads.whole_environment is not None
    assert reads.changed() is None
    monkeypatch.setenv("REPLAY_ANYTHING_NEW", "1")
    assert reads.changed() == "the environment"


def test_a_name_that_changed_kind_is_a_change(inputs: Path) -> None:
    with Recorder() as recorder:
        [entry.is_file() for entry in os.scandir(inputs / "listed")]
    reads = recorder.finish(modules=())
    assert reads is not None, recorder.unrecordable
    (inputs / "listed" / "a.yaml").unlink()
    (inputs / "listed" / "a.yaml").mkdir()
    assert reads.changed() == f"directory {inputs / 'listed'}"


def test_os_access_and_environb_are_inputs(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Recorder() as recorder:
        os.access(inputs / "later.txt", os.R_OK)
        os.environb.get(b"REPLAY_BYTES")
    reads = recorder.finish(modules=())
    assert reads is not None, recorder.unrecordable
    assert reads.probes[(str(inputs / "later.txt"), True)] == "absent"
    assert reads.whole_environment is not None
    (inputs / "later.txt").write_text("")
    assert reads.changed() == f"path {inputs / 'later.txt'}"


def test_what_the_run_printed_is_replayed(capsys: pytest.CaptureFixture[str]) -> None:
    with Recorder() as recorder:
        print("to stdout")
        print("to stderr", file=sys.stderr)
    assert capsys.readouterr() == ("to stdout\n", "to stderr\n")
    Outcome(recorder.transcript, {}).replay()
    assert capsys.readouterr() == ("to stdout\n", "to stderr\n")


def test_a_stored_outcome_comes_back_until_an_input_changes(
    inputs: Path, tmp_path: Path
) -> None:
    cache = UserCache(tmp_path / "cache", "fingerprint")
    key = command_key({"command": "test", "out": str(inputs)})
    with Recorder(ignored=[cache.directory]) as recorder:
        print("said once")
        (inputs / "values.txt").read_text()
    assert store(cache, key, recorder, {"bases/a.yaml": "a: 1\n"}, modules=())
    found = lookup(cache, key)
    assert found is not None
    assert found.files == {"bases/a.yaml": "a: 1\n"}
    assert found.transcript == [(1, "said once"), (1, "\n")]
    assert lookup(cache, command_key({"command": "test", "out": "elsewhere"})) is None
    (inputs / "values.txt").write_text("2\n")
    assert lookup(cache, key) is None


@pytest.mark.parametrize("damage", ["", "{", '{"format": 1}', "[]", '{"format": 1, "reads": 7}'])
def test_a_damaged_record_is_a_miss(inputs: Path, tmp_path: Path, damage: str) -> None:
    cache = UserCache(tmp_path / "cache", "fingerprint")
    key = command_key({"command": "test"})
    with Recorder(ignored=[cache.directory]) as recorder:
        (inputs / "values.txt").read_text()
    assert store(cache, key, recorder, {}, modules=())
    (cache.directory / "runs" / f"{key[0]}.json").write_text(damage)
    assert lookup(cache, key) is None


# -- the CLI, end to end -----------------------------------------------------

CLUSTER = '''
import os
from pathlib import Path

from kustgen import Base, Cluster, Overlay

os.write(2, b"EVALUATED\\n")  # straight to the descriptor: never part of a transcript
here = Path(__file__).resolve().parent
tag = (here / "values.txt").read_text().strip() + os.environ.get("REPLAY_TEST_SUFFIX", "")
objects = [{
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": f"nginx:{tag}"}]}}},
}]
if (here / "extra.txt").exists():
    objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "extra"},
                    "data": {"extra": "yes"}})
print("a line the definition prints")
base = Base(name="web", objects=objects)
cluster = Cluster(name="replayed", overlays=[
    Overlay(name="dev", bases=[base]),
    Overlay(name="prod", bases=[base], namespace="prod"),
])
'''


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.kustgen]\ntarget = "replayed_cluster:cluster"\nout = "deploy"\n'
    )
    (root / "replayed_cluster.py").write_text(CLUSTER)
    (root / "values.txt").write_text("1.25\n")
    backdate(*root.iterdir())
    return root


def build(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REPLAY_")}
    environment.update(KUSTGEN_CACHE_DIR=str(project.parent / "cache"), **env)
    return subprocess.run(
        [sys.executable, "-m", "kustgen.cli", "build", *args],
        cwd=project, env=environment, capture_output=True, text=True,
    )


def evaluated(result: subprocess.CompletedProcess[str]) -> bool:
    return "EVALUATED\n" in result.stderr


def tree(project: Path) -> dict[str, bytes]:
    out = project / "deploy"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".kustgen-state" not in p.parts}


def written_yaml(project: Path) -> str:
    return "".join(p.read_text() for p in sorted((project / "deploy").rglob("*.yaml")))


def settled(project: Path, *args: str, **env: str) -> Iterator[subprocess.CompletedProcess[str]]:
    """Runs of the same command: the first evaluates, the second records, the rest replay."""
    while True:
        yield build(project, *args, **env)


def test_a_no_op_build_replays_without_evaluating_the_definition(project: Path) -> None:
    first = build(project)
    assert first.returncode == 0, first.stderr
    assert evaluated(first)
    second = build(project)
    assert second.returncode == 0 and evaluated(second)
    written = tree(project)
    third = build(project)
    assert third.returncode == 0, third.stderr
    assert not evaluated(third)
    assert third.stdout == second.stdout
    assert third.stderr == second.stderr.replace("EVALUATED\n", "")
    assert "a line the definition prints" in third.stdout
    assert tree(project) == written
    for check in (build(project, "--check"), build(project, "--check")):
        assert check.returncode == 0, check.stderr
    assert not evaluated(build(project, "--check"))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda p: (p / "values.txt").write_text("1.26\n"), "nginx:1.26"),
        (lambda p: (p / "extra.txt").write_text(""), "name: extra"),
        (lambda p: (p / "replayed_cluster.py").write_text(
            CLUSTER.replace("nginx:", "registry.local/nginx:")), "registry.local/nginx:1.25"),
        (lambda p: (p / "kustgen_helpers.py").write_text(""), "nginx:1.25"),
    ],
    ids=["data-file", "probed-file", "definition", "new-module-on-the-path"],
)
def test_an_edit_evaluates_again_and_equals_a_run_without_records(
    project: Path, tmp_path: Path, edit: object, expected: str
) -> None:
    runs = settled(project)
    next(runs), next(runs)
    assert not evaluated(next(runs))
    edit(project)  # type: ignore[operator]
    after = next(runs)
    assert after.returncode == 0, after.stderr
    assert evaluated(after)
    assert expected in written_yaml(project)
    cold = tmp_path / "cold"
    subprocess.run(["cp", "-r", str(project), str(cold)], check=True)
    fresh = build(cold, KUSTGEN_CACHE="off")
    assert fresh.returncode == 0, fresh.stderr
    assert tree(cold) == tree(project)


def test_an_environment_variable_the_definition_reads_evaluates_again(project: Path) -> None:
    runs = settled(project)
    next(runs), next(runs)
    assert not evaluated(next(runs))
    changed = build(project, REPLAY_TEST_SUFFIX="-rc1")
    assert evaluated(changed)
    assert "nginx:1.25-rc1" in written_yaml(project)


def test_a_replayed_build_still_puts_the_tree_right(project: Path) -> None:
    runs = settled(project)
    next(runs), next(runs)
    written = tree(project)
    removed = next(p for p in (project / "deploy" / "bases").rglob("*.yaml"))
    removed.unlink()
    again = next(runs)
    assert again.returncode == 0, again.stderr
    assert f"wrote {removed.relative_to(project)}" in again.stdout
    assert tree(project) == written
    check_after = build(project, "--check")
    assert check_after.returncode == 0


def test_a_failing_build_is_never_replayed(project: Path) -> None:
    invalid = CLUSTER.replace('"name": "web"}', '"name": "Web"}', 1)
    (project / "replayed_cluster.py").write_text(invalid)
    backdate(project / "replayed_cluster.py")
    for _ in range(3):
        result = build(project)
        assert result.returncode != 0
        assert evaluated(result)


@pytest.mark.parametrize("switch", ["KUSTGEN_CACHE", "KUSTGEN_REPLAY"])
def test_without_records_every_run_evaluates(project: Path, switch: str) -> None:
    for _ in range(3):
        assert evaluated(build(project, **{switch: "off"}))
    assert not (project.parent / "cache" / "runs").exists()


def test_explain_says_why_a_run_was_not_replayed(project: Path) -> None:
    runs = settled(project)
    next(runs), next(runs)
    quiet = build(project, KUSTGEN_REPLAY="explain")
    assert "kustgen: replay:" not in quiet.stderr and not evaluated(quiet)
    (project / "values.txt").write_text("1.26\n")
    told = build(project, KUSTGEN_REPLAY="explain")
    assert f"kustgen: replay: file {project / 'values.txt'} changed\n" in told.stderr
    assert "kustgen: replay: not recorded: " in told.stderr  # just modified: racily clean
    assert "just before the run read it" in told.stderr


def test_run_computes_once_then_replays_until_an_input_changes(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kustgen import replay

    monkeypatch.setattr(replay, "_EVALUATED", False)  # as in a fresh process,
    # whose modules were written well before it loaded them (this test process
    # may hold modules other tests wrote moments ago)
    monkeypatch.setattr(replay, "_LOADED_NS", time.time_ns() + 10**10)
    cache = UserCache(tmp_path / "cache", "fingerprint")
    computed: list[str] = []

    def compute() -> dict[str, str]:
        tag = (inputs / "values.txt").read_text().strip()
        computed.append(tag)
        print(f"computed {tag}")
        return {"bases/web/web.yaml": f"image: nginx:{tag}\n"}

    def run(**options: bool) -> replay.Run:
        return replay.run(cache, {"command": "test"}, compute, module="replay_test_nothing",
                          **options)

    first = run()
    assert (first.replayed, first.files) == (False, {"bases/web/web.yaml": "image: nginx:1.25\n"})
    second = run()
    assert second.replayed and second.files == first.files and computed == ["1.25"]
    assert capsys.readouterr().out == "computed 1.25\ncomputed 1.25\n"  # printed, then replayed
    assert not run(reuse=False).replayed and computed == ["1.25", "1.25"]
    (inputs / "values.txt").write_text("1.26\n")
    third = run()
    assert not third.replayed and third.files == {"bases/web/web.yaml": "image: nginx:1.26\n"}
    assert any("values.txt changed" in reason for reason in third.why)
    assert replay.run(None, {"command": "test"}, compute, module="m").replayed is False


def test_a_file_import_cannot_load_beside_the_definition_changes_nothing(project: Path) -> None:
    """The import system lists the definition's directory; only what it could
    import there counts, not a log or an editor's swap file."""
    runs = settled(project)
    next(runs), next(runs)
    (project / "notes.txt").write_text("an unrelated file\n")
    (project / ".replayed_cluster.py.swp").write_text("")
    assert not evaluated(next(runs))
    (project / "replayed_cluster_extra.py").write_text("")
    assert evaluated(next(runs))


def test_a_replayed_check_still_compares_with_the_disk(project: Path) -> None:
    runs = settled(project)
    next(runs), next(runs)
    checks = settled(project, "--check")
    next(checks), next(checks)
    assert not evaluated(next(checks))
    edited = next(p for p in sorted((project / "deploy" / "bases").rglob("*.yaml")))
    edited.write_text(edited.read_text() + "# edited by hand\n")
    stale = next(checks)
    assert not evaluated(stale)
    assert stale.returncode == 1
    assert edited.name in stale.stderr
