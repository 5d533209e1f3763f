"""Secret values on their way into a written file without an opt-in.

Checked on what is written, independently of validation (these run with
``--no-validate``): the only ways through are ``SecretGenerator(allow_plaintext=True)``
and ``Cluster(allow_plaintext=["Secret/NAMESPACE/NAME"])``.
"""

from __future__ import annotations

from tests.badinput import CLUSTER, Entry

HINT = (
    "secret value(s) would be written in plain text; keep them out of git "
    "(SecretGenerator(envs=[...]), a sealed or external secret) or opt in with "
)


def with_extra(definitions: str, **where: str) -> str:
    """The entry cluster with ``definitions`` added and Cluster(...) keywords set."""
    source = CLUSTER.replace("cluster = Cluster(", definitions + "\ncluster = Cluster(")
    keywords = "".join(f"    {key}={value},\n" for key, value in where.items())
    return source.replace('    external=External(namespaces=["web"]),\n',
                          '    external=External(namespaces=["web"]),\n' + keywords)


SECRET = ('db = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", '
          '"namespace": "web"}, "stringData": {"password": "hunter2"}}')

ENTRIES = [
    Entry(
        id="secret-unused-base",
        hostile="a Secret with `stringData` in a base no overlay uses, built with `--no-validate`",
        args=("build", "--no-validate"),
        prebuilt=False,
        cluster=with_extra(SECRET, bases='[Base(name="spare", objects=[db])]'),
        error="kustgen: error: bases/spare/secret-db.yaml: Secret/web/db: stringData: 1 "
        + HINT + "Cluster(allow_plaintext=['Secret/web/db'])",
    ),
    Entry(
        id="secret-install",
        hostile="a Secret with `stringData` in an install",
        args=("build", "--no-validate"),
        prebuilt=False,
        cluster=with_extra(SECRET, installs='[Base(name="vendor", objects=[db])]'),
        error="kustgen: error: installs/vendor/secret-db.yaml: Secret/web/db: stringData: 1 "
        + HINT + "Cluster(allow_plaintext=['Secret/web/db'])",
    ),
    Entry(
        id="secret-literals-assigned-later",
        hostile="`SecretGenerator.literals` assigned after construction",
        args=("build", "--no-validate"),
        prebuilt=False,
        cluster=with_extra(
            "from kustgen import SecretGenerator\n"
            'gen = SecretGenerator(name="db", namespace="web")\n'
            'gen.literals = ["password=hunter2"]\n'
            'extra = Base(name="gen", secret_generators=[gen])',
            bases="[extra]",
        ),
        error="kustgen: error: bases/gen/kustomization.yaml: secretGenerator/db: literals: 1 "
        + HINT + "SecretGenerator(allow_plaintext=True)",
    ),
]
