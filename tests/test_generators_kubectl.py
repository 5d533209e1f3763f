"""Generated ConfigMaps and Secrets against kubectl: every byte and every name hash.

Values of every length around the base64 wrap (kustomize wraps at 70 columns
from 52 bytes on; 105 and 210 bytes fill whole lines), binary files, files
without a trailing newline or with CRLF line ends, env files with a BOM,
blank, comment and key-only lines, empty generators, and ``behavior:
merge``/``replace`` of binary and wrapped data: one tree, one kubectl run,
compared byte for byte with kustgen's rendering.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from kustgen import yamlio
from kustgen.render import render, render_directory
from kustgen.render.generators import encode_base64, env_lines, env_pairs

#: Around one line (51/52/53 bytes: 68/72/72 base64 characters), whole lines
#: (105, 210 bytes: 140, 280 characters) and their neighbours.
LENGTHS = (0, 1, 2, 3, 50, 51, 52, 53, 54, 104, 105, 106, 157, 158, 209, 210, 211, 1000)


def _write(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _tree() -> dict[str, bytes]:
    rng = random.Random(12)
    files: dict[str, bytes] = {}
    sources = []
    for n in LENGTHS:
        files[f"base/text/t{n}.txt"] = bytes(rng.choice(b"abcxyz0123 =") for _ in range(n))
        files[f"base/bin/b{n}.bin"] = bytes(rng.randrange(256) for _ in range(n))
        sources += [f"text/t{n}.txt", f"bin/b{n}.bin"]
    files["base/nonl.conf"] = b"listener 1883\nallow_anonymous false"
    files["base/crlf.conf"] = b"server {\r\n  listen 80;\r\n}\r\n"
    files["base/api.env"] = (
        b"\xef\xbb\xbfAPI_TOKEN=" + b"0123456789abcdef" * 4 + b"\n"
        b"   # a comment\n\n"
        b"KEY_ONLY\n"
        b"=skipped\n"
        b"  INDENTED=x y\r\n"
        b"LONG=" + b"z" * 300 + b"\n"
        b"LAST=no newline"
    )
    files["base/empty.env"] = b""
    listed = "".join(f"  - {s}\n" for s in [*sources, "nonl.conf", "tls.crt=crlf.conf"])
    files["base/kustomization.yaml"] = (
        "secretGenerator:\n- name: files\n  files:\n" + listed
        + "- name: api\n  envs: [api.env]\n"
        "- name: empty\n  envs: [empty.env]\n"
        "- name: tls\n  type: kubernetes.io/tls\n  files: [tls.crt=bin/b210.bin, "
        "tls.key=bin/b53.bin]\n"
        "configMapGenerator:\n- name: files\n  files:\n" + listed
        + "- name: api\n  envs: [api.env]\n"
        "- name: empty\n  envs: [empty.env]\n"
    ).encode()
    files["overlay/more.bin"] = bytes(range(256))
    files["overlay/kustomization.yaml"] = (
        b"resources: [../base]\n"
        b"namePrefix: p-\n"
        b"secretGenerator:\n"
        b"- name: files\n  behavior: merge\n  files: [extra=more.bin]\n  literals: [a=b]\n"
        b"- name: tls\n  behavior: replace\n  literals: [tls.crt=x]\n"
        b"- name: empty\n  behavior: merge\n  literals: []\n"
        b"configMapGenerator:\n"
        b"- name: files\n  behavior: merge\n  files: [extra=more.bin]\n  literals: [a=b]\n"
        b"- name: api\n  behavior: replace\n  files: [more.bin]\n"
    )
    return files


@pytest.mark.kubectl
@pytest.mark.parametrize("directory", ["base", "overlay"])
def test_generated_objects_equal_kubectl(kubectl: str, tmp_path: Path, directory: str) -> None:
    files = _tree()
    _write(tmp_path, files)
    expected = subprocess.run([kubectl, "kustomize", str(tmp_path / directory)],
                              capture_output=True, text=True, check=True).stdout
    assert yamlio.dump_all(render(files, directory)) == expected
    # The same from disk: exact bytes, no newline translation.
    if directory == "base":
        assert yamlio.dump_all(render_directory(tmp_path / "base")) == expected


def test_base64_wraps_at_70_columns_with_a_newline_after_every_line() -> None:
    assert encode_base64(b"x" * 51) == "eHh4" * 17  # 68 characters: one line, no newline
    wrapped = encode_base64(b"x" * 52)  # 72 characters
    assert wrapped == "eHh4" * 17 + "eA\n==\n"
    assert encode_base64(b"x" * 105).count("\n") == 2  # exactly two full lines
    assert all(len(line) == 70 for line in encode_base64(b"x" * 105).splitlines())


def test_env_lines_split_like_go_bufio() -> None:
    assert env_lines(b"a\r\nb\rc\n\nd") == [b"a", b"b\rc", b"", b"d"]
    assert env_lines(b"") == []
    # U+0085 and U+2028 are not line ends for Go (they are for str.splitlines).
    pairs = env_pairs("A=x\u0085y\u2028z\nB\n\u00a0 C=1\n\x1cD=2\n".encode(), "f.env")
    assert pairs == [("A", "x\u0085y\u2028z"), ("B", ""), ("C", "1"), ("\x1cD", "2")]


#: One referrer for every field of kustomize's nameReference table for ConfigMaps
#: and Secrets, and fields it leaves alone (ReplicationController, ephemeral
#: containers, a CSI volume, a ServiceAccount's secrets, a CSI StorageClass
#: parameter), all naming the generated ``s`` and ``c``.
REFERRERS = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules:
- apiGroups: [""]
  resources: [pods]
  resourceNames: [s, c, other]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: sc}
provisioner: x
parameters:
  secretName: s
  adminSecretName: s
  userSecretName: s
  secretRef: s
  csi.storage.k8s.io/node-publish-secret-name: s
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: i
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: s
    nginx.ingress.kubernetes.io/fastcgi-params-configmap: c
    ingress.kubernetes.io/auth-secret: s
    nginx.ingress.kubernetes.io/auth-tls-secret: s
spec:
  tls: [{secretName: s}]
---
apiVersion: v1
kind: PodTemplate
metadata: {name: pt}
template:
  spec:
    containers: [{name: a, image: x, envFrom: [{secretRef: {name: s}}, {configMapRef: {name: c}}]}]
    imagePullSecrets: [{name: s}]
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  template:
    spec:
      containers:
      - {name: a, image: x, envFrom: [{secretRef: {name: s}}, {configMapRef: {name: c}}]}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: kn}
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
        env:
        - {name: A, valueFrom: {secretKeyRef: {name: s, key: a}}}
        - {name: B, valueFrom: {configMapKeyRef: {name: c, key: a}}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec:
  azureFile: {secretName: s, shareName: x}
  csi: {driver: d, volumeHandle: h, nodePublishSecretRef: {name: s, namespace: default}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          imagePullSecrets: [{name: s}]
          containers: [{name: a, image: x, envFrom: [{secretRef: {name: s}}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
  ephemeralContainers:
  - {name: e, image: x, envFrom: [{configMapRef: {name: c}}, {secretRef: {name: s}}]}
  volumes:
  - {name: v, csi: {driver: smb.csi.k8s.io, nodePublishSecretRef: {name: s}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
secrets: [{name: s}]
imagePullSecrets: [{name: s}]
"""


@pytest.mark.kubectl
@pytest.mark.parametrize("prefix", ["", "p-"])
def test_generated_names_reach_exactly_the_fields_kustomize_rewrites(
    kubectl: str, tmp_path: Path, prefix: str
) -> None:
    files = {
        "base/refs.yaml": REFERRERS.encode(),
        "base/kustomization.yaml": b"resources: [refs.yaml]\n"
        b"secretGenerator: [{name: s, literals: [a=b]}]\n"
        b"configMapGenerator: [{name: c, literals: [a=b]}]\n",
        "overlay/kustomization.yaml": f"resources: [../base]\nnamePrefix: '{prefix}'\n".encode(),
    }
    _write(tmp_path, files)
    expected = subprocess.run([kubectl, "kustomize", str(tmp_path / "overlay")],
                              capture_output=True, text=True, check=True).stdout
    assert yamlio.dump_all(render(files, "overlay")) == expected


@pytest.mark.kubectl
def test_a_patch_dropping_all_annotations_drops_kustomizes_bookkeeping(
    kubectl: str, tmp_path: Path
) -> None:
    """kustomize keeps a generator's needs-hash and the previous names in the
    annotations while it builds: ``annotations: null`` loses the hash and the
    rewriting of references written with the old name."""
    files = {
        "base/r.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n",
        "base/kustomization.yaml": b"resources: [r.yaml]\nnamePrefix: p-\n"
        b"configMapGenerator: [{name: g, literals: [x=y]}]\n",
        "overlay/pod.yaml": b"apiVersion: v1\nkind: Pod\nmetadata: {name: pod}\nspec:\n"
        b"  containers: [{name: a, image: x, envFrom: [{configMapRef: {name: c}}, "
        b"{configMapRef: {name: g}}]}]\n",
        "overlay/p.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p-c, "
        b"annotations: null}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: p-g, "
        b"annotations: null}\n",
        "overlay/kustomization.yaml":
            b"resources: [../base, pod.yaml]\npatches: [{path: p.yaml}]\n",
    }
    _write(tmp_path, files)
    expected = subprocess.run([kubectl, "kustomize", str(tmp_path / "overlay")],
                              capture_output=True, text=True, check=True).stdout
    assert "name: p-g\n" in expected and "name: c\n" in expected
    assert yamlio.dump_all(render(files, "overlay")) == expected
