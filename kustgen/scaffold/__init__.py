"""``kustgen init``: a new cluster repository that builds, validates and tests as it is.

The files are templates in ``files/`` (``{{name}}``-style placeholders).  The
scaffold writes every file or none: it refuses a directory that is not empty
(a ``.git`` directory aside) and removes what it wrote if a later write fails.
Right after it, `kustgen build`, `kustgen validate`, `kubectl kustomize` of
every overlay and the repository's own tests pass with no warning; the goldens
of the tests are rendered here from the scaffolded cluster itself.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import keyword
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from kustgen.errors import UsageError, display_path

CI_FILES = {"gitlab": ".gitlab-ci.yml", "github": ".github/workflows/kustgen.yml"}
_CI_TEMPLATES = {"gitlab": "gitlab-ci.yml.tmpl", "github": "github-workflow.yml.tmpl"}
#: What may already be in the directory: a fresh `git init` or clone.
_ALLOWED = {".git"}


def cluster_name(directory: Path) -> str:
    """A DNS-1123 label from the directory's name (``My Cluster`` -> ``my-cluster``)."""
    name = re.sub(r"[^a-z0-9]+", "-", directory.resolve().name.lower()).strip("-")[:63].strip("-")
    return name or "home"


def module_name(name: str) -> str:
    """The cluster module's name: ``my-cluster`` -> ``my_cluster``, always a Python name."""
    module = name.replace("-", "_")
    if not module.isidentifier() or keyword.iskeyword(module):
        module = f"cluster_{module}"
    return module


def kustgen_requirement() -> str:
    """The requirement that installs this very kustgen with the Kubernetes schemas.

    Read from how it was installed (PEP 610 ``direct_url.json``): a VCS URL at
    its commit, a local directory or archive by URL, else the version from
    the package index.
    """
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("kustgen")
    except PackageNotFoundError:
        return "kustgen[validate]"
    text = dist.read_text("direct_url.json")
    if not text:
        return f"kustgen[validate]=={dist.version}"
    info: dict[str, Any] = json.loads(text)
    url = str(info.get("url", ""))
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict):
        return f"kustgen[validate] @ {vcs.get('vcs', 'git')}+{url}@{vcs.get('commit_id', '')}"
    return f"kustgen[validate] @ {url}" if url else f"kustgen[validate]=={dist.version}"


def _template(name: str) -> str:
    return (resources.files(__package__) / "files" / name).read_text(encoding="utf-8")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def files(name: str, *, ci: str = "gitlab") -> dict[str, str]:
    """The scaffold's files (relative path -> text), goldens not included."""
    if ci not in (*CI_FILES, "none"):
        raise UsageError(f"unknown CI {ci!r} (known: gitlab, github, none)", obj="kustgen init")
    module = module_name(name)
    values = {"name": name, "module": module, "requirement": kustgen_requirement()}
    chosen = {
        "pyproject.toml": "pyproject.toml.tmpl",
        "requirements.txt": "requirements.txt.tmpl",
        "README.md": "README.md.tmpl",
        ".gitignore": "gitignore.tmpl",
        ".pre-commit-config.yaml": "pre-commit-config.yaml.tmpl",
        "clusters/__init__.py": None,
        f"clusters/{module}.py": "cluster.py.tmpl",
        "tests/test_cluster.py": "test_cluster.py.tmpl",
    }
    if ci != "none":
        chosen[CI_FILES[ci]] = _CI_TEMPLATES[ci]
    return {
        path: _fill(_template(template), values) if template else ""
        for path, template in chosen.items()
    }


def goldens(cluster_module: str, module_path: str) -> dict[str, str]:
    """``tests/goldens/<env>.yml`` for every environment of the scaffolded cluster."""
    from kustgen.errors import UserCodeError

    name = f"_kustgen_scaffold.{module_path}"
    spec = importlib.util.spec_from_file_location(name, cluster_module)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # a broken template is kustgen's bug, but say where
        raise UserCodeError(error, context="kustgen init") from error
    from kustgen.build import input_tree, render_env

    cluster = module.cluster
    files = input_tree(cluster)  # secret value files as empty stand-ins, as kustgen.testing
    return {
        f"tests/goldens/{env}.yml": golden_text(env, render_env(cluster, env, files=files))
        for env in cluster.envs()
    }


def golden_text(env: str, manifests: str) -> str:
    """A pytest-golden file holding one environment's rendered manifests."""
    import yaml

    class _Literal(str):
        __slots__ = ()

    class _Dumper(yaml.SafeDumper):
        pass

    _Dumper.add_representer(
        _Literal, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, "|")
    )
    return yaml.dump(
        {"env": env, "manifests": _Literal(manifests)},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
    )


def _check_directory(directory: Path) -> None:
    if directory.exists() or directory.is_symlink():
        if not directory.is_dir():
            raise UsageError(f"{display_path(directory)} is not a directory", obj="kustgen init")
        present = sorted(p.name for p in directory.iterdir() if p.name not in _ALLOWED)
        if present:
            raise UsageError(
                f"{display_path(directory)} is not empty (it has {present[0]}"
                f"{f' and {len(present) - 1} more' if len(present) > 1 else ''}); "
                "give an empty or new directory: kustgen init never overwrites a file",
                obj="kustgen init",
            )
    else:
        for parent in directory.parents:
            if parent.exists():
                if not parent.is_dir():
                    raise UsageError(
                        f"{display_path(parent)} is not a directory", obj="kustgen init"
                    )
                break


def scaffold(directory: Path, *, ci: str = "gitlab", name: str | None = None) -> list[str]:
    """Write a new cluster repository into ``directory``; return the paths written."""
    from kustgen.tree import check_dir_name

    _check_directory(directory)
    name = name or cluster_name(directory)
    check_dir_name("cluster", name)
    texts = files(name, ci=ci)
    module = module_name(name)
    written: list[Path] = []
    created_root = not directory.exists()
    try:
        for relative in sorted(texts):
            _write_new(directory / relative, texts[relative], written)
        cluster_file = directory / "clusters" / f"{module}.py"
        gold = goldens(str(cluster_file), module)
        for relative in sorted(gold):
            _write_new(directory / relative, gold[relative], written)
    except BaseException:
        _remove(written, directory, created_root)
        raise
    finally:
        sys.modules.pop(f"_kustgen_scaffold.{module}", None)
    return sorted([*texts, *gold])


def _write_new(path: Path, text: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # never overwrite
        written.append(path)
        handle.write(text)


def _remove(written: list[Path], directory: Path, created_root: bool) -> None:
    """Undo a scaffold that failed half-way: only what it wrote, then its empty directories."""
    for path in reversed(written):
        path.unlink(missing_ok=True)
    directories = sorted({p.parent for p in written}, key=lambda p: len(p.parts), reverse=True)
    for candidate in directories:
        while candidate != directory and candidate.is_relative_to(directory):
            try:
                candidate.rmdir()
            except OSError:
                break
            candidate = candidate.parent
    if created_root:
        with contextlib.suppress(OSError):
            directory.rmdir()
