"""`kustgen graph`: the README's diagram is the default fleet's, it names the
bare-metal wiring, and Graphviz renders the DOT form without a warning."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kustgen.graph import diagram, fleet_graph
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BEGIN, END = "<!-- kustgen graph: begin -->\n", "<!-- kustgen graph: end -->\n"


@pytest.fixture(scope="session")
def dot() -> str:
    path = shutil.which("dot")
    if path is None:
        message = "Graphviz `dot` is not on PATH (apt-get install graphviz)"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: this test must run)")
        pytest.skip(message)
    return path


def default_graph(**options: str) -> str:
    from kustgen.default import fleet

    return fleet_graph(fleet, **options)  # type: ignore[arg-type]


def test_readme_embeds_the_default_fleets_diagram(request: pytest.FixtureRequest) -> None:
    """Regenerate with `python -m pytest tests/test_graph.py --update-goldens`."""
    text = README.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    current = f"```mermaid\n{default_graph()}```\n"
    if request.config.getoption("--update-goldens", default=False):
        README.write_text(text[:start] + current + text[end:], encoding="utf-8")
        return
    assert text[start:end] == current, "run: python -m pytest tests/test_graph.py --update-goldens"


def _labels(text: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*(n\d+)\["([^"]+)"\]$', text, re.M))


def _edges(text: str) -> set[tuple[str, str, str]]:
    labels = _labels(text)
    return {(labels[a], label, labels[b])
            for a, label, b in re.findall(r"^\s*(n\d+) -->\|(\w+)\| (n\d+)$", text, re.M)}


def test_every_pool_peer_and_load_balancer_service_of_the_default_is_drawn() -> None:
    from kustgen.build import input_tree
    from kustgen.default import fleet
    from kustgen.render import render

    text = default_graph()
    drawn = set(_labels(text).values())
    files = input_tree(fleet)
    for env in fleet.envs():
        for obj in render(files, f"overlays/{env}"):
            kind, name = obj["kind"], obj["metadata"]["name"]
            if kind in ("IPAddressPool", "BGPPeer") or (
                    kind == "Service" and obj["spec"].get("type") == "LoadBalancer"):
                assert f"{kind}/{name}" in drawn, (env, kind, name)


def test_the_wiring_follows_the_objects() -> None:
    edges = _edges(default_graph(env="production"))
    assert edges >= {
        ("Service/minecraft", "pool", "IPAddressPool/main-pool"),
        ("Service/gitlab-ssh", "pool", "IPAddressPool/main-pool"),
        ("IPAddressPool/main-pool", "BGP", "BGPAdvertisement/main"),
        ("IPAddressPool/main-v6-pool", "BGP", "BGPAdvertisement/main"),
        ("BGPAdvertisement/main", "peer", "BGPPeer/router"),
        ("PersistentVolumeClaim/minecraft-data", "class", "StorageClass/longhorn-retain"),
        ("StorageClass/longhorn-retain", "jobs", "RecurringJob/snapshot-nightly"),
        ("StorageClass/longhorn-retain", "backups", "BackupTarget/default"),
        ("ConfigMap/longhorn-storageclass", "jobs", "RecurringJob/backup-weekly"),
    }
    assert not any(label == "auto" for _, label, _ in edges)  # every Service names its pool
    preview = _edges(default_graph(env="preview"))
    assert ("Service/preview-minecraft", "pool", "IPAddressPool/lab-pool") in preview
    assert ("IPAddressPool/lab-pool", "L2", "L2Advertisement/lab") in preview
    assert ("PersistentVolumeClaim/preview-minecraft-data", "class",
            "StorageClass/longhorn-retain") in preview
    assert "Service/gitlab-ssh" not in _labels(default_graph(env="preview")).values()


def test_clusters_hold_layers_in_order_holding_bases_holding_objects() -> None:
    from kustgen.default import fleet

    drawn = diagram(fleet)
    assert [c.label for c in drawn.clusters] == ["cluster home - Flux", "cluster lab - ArgoCD"]
    home = drawn.clusters[0]
    assert [g.label for g in home.groups] == [
        "install: installs/longhorn-install", "install: installs/metallb-install",
        "config: overlays/production/config", "apps: overlays/production/apps"]
    config = home.groups[2]
    assert [g.label for g in config.groups] == ["base longhorn", "base metallb-bgp"]
    assert [(a.label, b.label) for a, b in drawn.order[:3]] == [
        ("install: installs/longhorn-install", "config: overlays/production/config"),
        ("install: installs/metallb-install", "config: overlays/production/config"),
        ("config: overlays/production/config", "apps: overlays/production/apps")]
    # An installation is counted by kind, not drawn object by object.
    [summary] = home.groups[0].groups[0].nodes
    assert summary[1].startswith("50 objects: 25 CustomResourceDefinition, ")


def test_output_is_the_same_for_every_hash_seed(tmp_path: Path) -> None:
    outputs = set()
    for seed in ("0", "7"):
        result = subprocess.run(
            [sys.executable, "-m", "kustgen.cli", "graph", "--format", "dot"],
            capture_output=True, text=True, check=True, cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize("options", [{}, {"env": "preview"}])
def test_dot_renders_with_graphviz_without_warnings(dot: str, options: dict[str, str],
                                                    tmp_path: Path) -> None:
    source = default_graph(output="dot", **options)
    result = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("<?xml") and "</svg>" in result.stdout
