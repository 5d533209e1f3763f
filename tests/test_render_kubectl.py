"""kubectl as the oracle, part 2: scenario trees built here and run through
real ``kubectl kustomize`` (one subprocess per scenario) and through kustgen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kustgen.render import render
from kustgen.render.yamlload import load_resources

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
  finalizers: [f1, f2]
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: runner
      imagePullSecrets: [{name: pull}]
      schedulingGates: [{name: a}]
      initContainers:
      - {name: init, image: busybox:1.36}
      containers:
      - name: web
        image: nginx:1.2@sha256:abcd
        args: [a, b]
        ports: [{containerPort: 80, name: http}, {containerPort: 81}]
        env:
        - {name: A, value: a}
        - {name: B, value: b}
        - name: LEVEL
          valueFrom: {configMapKeyRef: {name: settings, key: level}}
        envFrom: [{secretRef: {name: creds}}, {configMapRef: {name: external}}]
        volumeMounts: [{name: data, mountPath: /data}, {name: cfg, mountPath: /cfg}]
      - {name: side, image: docker.io/library/busybox}
      volumes:
      - {name: data, persistentVolumeClaim: {claimName: data}}
      - {name: cfg, configMap: {name: settings}}
      - name: proj
        projected: {sources: [{secret: {name: creds}}, {configMap: {name: settings}}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, name: http}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: web
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:15}]
  volumeClaimTemplates:
  - metadata: {name: pg}
    spec: {storageClassName: fast, accessModes: [ReadWriteOnce]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: b, image: busybox}]
          restartPolicy: Never
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, labels: {app: web}}
spec: {storageClassName: fast, accessModes: [ReadWriteOnce]}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: driver.longhorn.io
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: runner}, {kind: ServiceAccount, name: x, namespace: o}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: []
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{secretName: creds}]
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: example.com/v1
kind: Foo
metadata: {name: foo}
spec:
  items: [{name: a, v: 1}, {name: b, v: 2}]
"""

BASE = {
    "base/r.yaml": DEPLOY,
    "base/env.txt": "# comment\nK1=v1\n  K2=two words\n",
    "base/app.conf": "x = 1\n",
    "base/kustomization.yaml": """resources: [r.yaml]
namePrefix: b-
configMapGenerator:
- name: settings
  literals: [level=debug, "quoted='q'"]
  envs: [env.txt]
  files: [app.conf, renamed.conf=app.conf]
secretGenerator:
- name: creds
  literals: [password=hunter2]
  options: {labels: {secret: "yes"}}
""",
    "comp/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: extra}\n"
                     "spec: {selector: {app: x}, ports: [{port: 1}]}\n",
    "comp/kustomization.yaml": """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [svc.yaml]
commonAnnotations: {from-comp: "true"}
patches:
- target: {kind: Service, name: extra}
  patch: |-
    - {op: add, path: /spec/type, value: NodePort}
""",
}

SMP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  finalizers: [f3]
  annotations: {gone: null}
  $deleteFromPrimitiveList/finalizers: [f1]
spec:
  strategy:
    $retainKeys: [type]
    type: Recreate
  template:
    spec:
      schedulingGates: [{name: b}]
      $setElementOrder/containers: [{name: side}, {name: web}]
      containers:
      - name: web
        args: [z]
        ports: [{containerPort: 81, name: x}]
        env:
        - {name: B, $patch: delete}
        - {name: C, value: c}
        volumeMounts: [{name: cfg2, mountPath: /cfg}]
      - {name: new, image: new:1}
      volumes:
      - name: cfg
        $retainKeys: [name, emptyDir]
        emptyDir: {}
"""

SCENARIOS: dict[str, dict[str, str]] = {
    "overlay": {
        **BASE,
        "ov/smp.yaml": SMP,
        "ov/kustomization.yaml": """resources: [../base]
components: [../comp]
namespace: prod
namePrefix: p-
nameSuffix: -s
labels:
- pairs: {team: infra}
  includeTemplates: true
- pairs: {tier: web}
  includeSelectors: true
commonAnnotations: {owner: kustgen}
images:
- {name: nginx, newTag: "2"}
- {name: busybox, newName: registry.local/busybox, digest: "sha256:0000"}
- {name: postgres, newName: ghcr.io/pg}
replicas: [{name: b-web, count: 3}, {name: db, count: 0}]
configMapGenerator:
- name: settings
  behavior: merge
  literals: [EXTRA=1]
generatorOptions: {annotations: {note: gen}}
patches:
- path: smp.yaml
- target: {kind: Foo}
  patch: |-
    apiVersion: example.com/v1
    kind: Foo
    metadata: {name: whatever}
    spec:
      items: [{name: b, w: 3}]
- target: {group: apps, kind: Deployment, name: "b-w.*", labelSelector: "app=web"}
  patch: |-
    - {op: test, path: /spec/replicas, value: 1}
    - {op: add, path: /spec/template/spec/containers/0/env/-, value: {name: Z, value: z}}
    - {op: replace, path: /metadata/labels/app, value: web2}
    - {op: copy, from: /metadata/labels/app, path: /metadata/labels/copied}
    - {op: move, from: /metadata/labels/copied, path: /metadata/labels/moved}
    - {op: remove, path: /spec/template/spec/initContainers}
- target: {kind: CronJob, annotationSelector: "owner"}
  patch: |-
    - {op: add, path: /spec/suspend, value: true}
""",
    },
    "delete-replace": {
        "d/r.yaml": DEPLOY,
        "d/kustomization.yaml": """resources: [r.yaml]
commonLabels: {env: dev}
generatorOptions: {disableNameSuffixHash: true, immutable: true}
configMapGenerator:
- name: plain
  literals: [a=1]
patches:
- patch: |-
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      $patch: replace
      ports: [{port: 81}]
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      strategy:
        rollingUpdate: {$patch: delete}
      template:
        spec:
          containers:
          - name: web
            env:
            - $patch: replace
            - {name: ONLY, value: one}
- patch: |-
    apiVersion: example.com/v1
    kind: Foo
    metadata: {name: foo}
    $patch: delete
""",
    },
}

# A targeted strategic-merge patch that sets a top-level label or annotation to
# null: kubectl keeps the key with the string "null"; without target it deletes.
SCENARIOS["targeted-null-metadata"] = {
    "base/kustomization.yaml": "resources:\n- cm.yaml\n- d.yaml\n",
    "base/cm.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels: {a: x, b: y}
  annotations: {n: z}
data: {k: v, j: w}
""",
    "base/d.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: d, labels: {a: x}}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d, t: x}, annotations: {q: r}}
    spec: {containers: [{name: c, image: i}]}
""",
    "t/kustomization.yaml": """resources:
- ../base
patches:
- path: cm.yaml
  target: {kind: ConfigMap, name: cm}
- path: d.yaml
  target: {kind: Deployment}
- patch: |-
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cm, labels: {b: null}}
""",
    "t/cm.yaml": """apiVersion: v1
kind: ConfigMap
metadata: {name: cm, labels: {a: null}, annotations: {n: null}}
data: {k: null}
""",
    "t/d.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: d, labels: {a: null}}
spec:
  template:
    metadata: {labels: {t: null}, annotations: {q: null}}
""",
}


# Scalars with an explicit tag are what the tag says (go-yaml), untagged plain ones
# are resolved by kustomize's rules, quoted ones are strings; with an anchor too,
# so the loader that builds through PyYAML's constructor is the one tested.
SCENARIOS["explicit-tags"] = {
    "x/kustomization.yaml": "resources:\n- w.yaml\n",
    "x/w.yaml": """apiVersion: example.com/v1
kind: Widget
metadata:
  name: x
spec:
  a: !!str 5
  b: 5
  c: "5"
  d:
  e: yes
  f: !!int "7"
  g: 2024-01-01
  h: 1.0
  i: !!str true
  j: !!float 3
  k: &same 08
  l: *same
""",
}


def _kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("kubectl is not on PATH and CI=true")
        pytest.skip("kubectl is not on PATH")
    return path


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_matches_kubectl(name: str, tmp_path: Path) -> None:
    kubectl = _kubectl()
    files = SCENARIOS[name]
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    top = {"overlay": "ov", "delete-replace": "d", "targeted-null-metadata": "t",
           "explicit-tags": "x"}[name]
    proc = subprocess.run([kubectl, "kustomize", str(tmp_path / top)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert render(files, top) == load_resources(proc.stdout, "kubectl")
