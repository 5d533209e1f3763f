"""Fleets, layers and GitOps objects that cannot be applied as written.

A layer cycle, two clusters writing one directory, two clusters of one name,
an Argo CD project that does not exist, and GitOps paths that would point
elsewhere in the repository: refused before validation and before anything
is written.
"""

from __future__ import annotations

from tests.badinput import Entry, Sandbox

HEAD = '''
from kustgen import Base, Cluster, Fleet, Overlay
from kustgen.gitops import ArgoCD, Flux

settings = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
            "data": {"mode": "on"}}
app = Base(name="app", objects=[settings])
URL = "https://git.example.com/fleet.git"
'''


def _repository(sandbox: Sandbox) -> None:
    """The sandbox is a git repository; the output root is its subdirectory root/."""
    (sandbox.tmp / ".git").mkdir()


ENTRIES = [
    Entry(
        id="layer-cycle",
        hostile="a base stated to be installed before the base defining its kind by a CRD",
        prebuilt=False,
        cluster=HEAD + '''
crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "widgets.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"kind": "Widget", "plural": "widgets"},
                "versions": [{"name": "v1", "served": True, "storage": True}]}}
widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
cluster = Cluster(name="c", overlays=[Overlay(name="prod", bases=[
    Base(name="widgets", layer="install", objects=[widget]),
    Base(name="operator", layer="config", objects=[crd]),
])])
''',
        error="kustgen: error: Overlay/prod: layers: layer cycle install -> config -> install: "
        "Overlay/prod (install) in layer install uses Widget.example.com, defined by "
        "Overlay/prod (config) in layer config; config comes after install",
    ),
    Entry(
        id="fleet-same-directory",
        hostile="two clusters of a fleet with an environment of one name (one overlays/ "
        "directory)",
        prebuilt=False,
        cluster=HEAD + '''
cluster = Fleet(clusters=[
    Cluster(name="home", overlays=[Overlay(name="prod", bases=[app])]),
    Cluster(name="lab", overlays=[Overlay(name="prod", bases=[app])]),
])
''',
        error="kustgen: error: fleet fleet: clusters: clusters home and lab both write "
        "overlays/prod/; name the environments apart",
    ),
    Entry(
        id="fleet-same-gitops-directory",
        hostile="two clusters writing their GitOps objects to one directory",
        prebuilt=False,
        cluster=HEAD + '''
cluster = Fleet(clusters=[
    Cluster(name="home", overlays=[Overlay(name="prod", bases=[app])],
            gitops=Flux(url=URL, directory="gitops/main")),
    Cluster(name="lab", overlays=[Overlay(name="dev", bases=[app])],
            gitops=ArgoCD(url=URL, directory="gitops/main")),
])
''',
        error="kustgen: error: ArgoCD of cluster lab: directory: clusters home and lab both "
        "write gitops/main/; give each its own GitOps directory",
    ),
    Entry(
        id="fleet-duplicate-cluster",
        hostile="a fleet with two clusters of one name",
        prebuilt=False,
        cluster=HEAD + '''
cluster = Fleet(clusters=[
    Cluster(name="home", overlays=[Overlay(name="prod", bases=[app])]),
    Cluster(name="home", overlays=[Overlay(name="dev", bases=[app])]),
])
''',
        error="kustgen: error: fleet fleet: clusters: two clusters are named 'home'",
    ),
    Entry(
        id="argocd-unknown-project",
        hostile="Argo CD Applications naming a project no AppProject defines",
        prebuilt=False,
        cluster=HEAD + '''
cluster = Cluster(name="lab", overlays=[Overlay(name="dev", bases=[app])],
                  gitops=ArgoCD(url=URL, project="homelab"))
''',
        error="kustgen: error: Application/lab: spec.project: project 'homelab' does not exist "
        "(defined: default); add it to ArgoCD(projects=[...])",
    ),
    Entry(
        id="gitops-path-not-in-repository",
        hostile="an output root below a git repository's root while the GitOps paths assume "
        "it is the root (every path they name would not exist)",
        prebuilt=False,
        setup=_repository,
        cluster=HEAD + '''
cluster = Cluster(name="home", overlays=[Overlay(name="prod", bases=[app])],
                  gitops=Flux(url=URL))
''',
        error="kustgen: error: Flux of cluster home: path: no path (the repository root), but "
        "the output directory is root/ in the git repository at {tmp}: every GitOps path "
        "would point elsewhere; set path='root' or [tool.kustgen] repository-path",
    ),
    Entry(
        id="gitops-directory-outside-clusters",
        hostile="GitOps objects to be written outside gitops/",
        prebuilt=False,
        cluster=HEAD + '''
cluster = Cluster(name="home", overlays=[Overlay(name="prod", bases=[app])],
                  gitops=Flux(url=URL, directory="overlays/flux"))
''',
        error="kustgen: error: Flux of cluster home: directory: 'overlays/flux' is not below "
        "gitops/ (kustgen writes GitOps objects nowhere else)",
    ),
]
