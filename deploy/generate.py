#!/usr/bin/env python3
"""Writes deploy/k8s/<system>/ and deploy/compose.yaml from systems/*/system.yaml.

    python3 deploy/generate.py          # (re)write the files
    python3 deploy/generate.py --check  # exit 1, naming the files, if the committed ones differ

Why generated rather than kustomize bases + patches: every service is the same Deployment with
another name, and renaming a shared base per service needs kustomize >= 4 (a patch that renames, or
`patches` with selectors), while Debian 12's kubectl (kubernetes-client 1.20) embeds kustomize
2.0.3. The output is plain manifests behind a small kustomization.yaml that every kustomize since
2.0 renders, and scripts/check-deploy.sh fails when it is not what this script writes.

What varies per system comes from its YAML: the processes (the gateway, then `services:`), which
of them are core (in a synchronous call: the gateway, the token service, every caller and callee
of `dependencies:`), and the URLs. What is the same everywhere is written once, below.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SYSTEMS = ["vaccine", "vaccine-approval", "hotel", "animal-hospital", "course"]

IMAGE = "reservo"  # kustomization.yaml's `images:` pins the tag; set yours with `kustomize edit set image`
IMAGE_TAG = "0.1.0"
PORT = 8080
DATA_DIR = "/var/lib/reservo"
UID = 10001  # the `reservo` user of deploy/Dockerfile

# Where the distributed engines are. Kafka and PostgreSQL are not part of these manifests: run them
# (or a managed service) and patch these, or the Secrets below, in an overlay.
KAFKA_BROKERS_K8S = "kafka.reservo-infra.svc.cluster.local:9092"
KAFKA_BROKERS_COMPOSE = "kafka:9092"

# Secrets the Deployments read (created outside git: see deploy/README.md).
STORE_SECRET = "reservo-store"  # RESERVO_STORE_POSTGRES_URL (libpq URI with the password)
KAFKA_SECRET = "reservo-kafka"  # optional: RESERVO_EVENTS_KAFKA_SECURITY_PROTOCOL (sasl_ssl...), _SASL_MECHANISM, _SASL_USERNAME, _SASL_PASSWORD
OAUTH_SECRET = "reservo-oauth"  # the token service's client secrets and user passwords

# The processes idle at 8-15 MB RSS and run one event loop (the token service adds two hashing
# threads, 16 MiB per scrypt hash). Requests are what the HPA's utilisation is measured against.
RESOURCES_CORE = {"requests": {"cpu": "100m", "memory": "32Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}}
RESOURCES_OTHER = {"requests": {"cpu": "25m", "memory": "32Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}}
HPA = {"min": 2, "max": 6, "cpu_percent": 70}
PRESTOP_SLEEP_SECONDS = 5  # endpoints are removed before SIGTERM closes the listener
GRACE_SECONDS = 30  # preStop 5 s + the host's drain deadline 10 s (kit/service/host.cpp) + margin

LABEL_NAME = "app.kubernetes.io/name"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_COMPONENT = "app.kubernetes.io/component"


def env_name(key: str) -> str:
    """Config::EnvName (kit/core/config.cpp): RESERVO_ + upper case, '.' and '-' become '_'."""
    return "RESERVO_" + key.upper().replace(".", "_").replace("-", "_")


class System:
    def __init__(self, name: str):
        self.name = name
        self.doc = yaml.safe_load((ROOT / "systems" / name / "system.yaml").read_text())
        if self.doc.get("system") != name:
            raise SystemExit(f"systems/{name}/system.yaml: `system:` is {self.doc.get('system')!r}")
        self.services = [s["name"] for s in self.doc["services"]]
        self.processes = ["gateway"] + self.services
        self.dependencies = {s["name"]: list((s.get("dependencies") or {}).keys()) for s in self.doc["services"]}
        core = {"gateway"}
        token_service = ((self.doc.get("gateway") or {}).get("auth") or {}).get("token-service")
        if token_service:
            core.add(token_service)
        for caller, callees in self.dependencies.items():
            if callees:
                core.add(caller)
                core.update(callees)
        self.core = [p for p in self.processes if p in core]
        self.token_service = token_service

    def url(self, process: str, host_prefix: str = "") -> str:
        return f"http://{host_prefix}{process}:{PORT}"

    def settings(self, brokers: str, host_prefix: str = "") -> dict[str, str]:
        """The variables every process of the system gets (a ConfigMap on Kubernetes)."""
        env = {
            env_name("events.engine"): "kafka",
            env_name("events.kafka.brokers"): brokers,
            env_name("store.engine"): "postgres",
            env_name("runtime.bind-address"): "0.0.0.0",
        }
        for svc in self.services:
            env[env_name(f"services.{svc}.url")] = self.url(svc, host_prefix)
        # The seeds' ConfigMap names the callee of each synchronous call (course: course-management).
        for caller, callees in self.dependencies.items():
            for callee in callees:
                env[env_name(f"services.{caller}.dependencies.{callee}.url")] = self.url(callee, host_prefix)
        return env

    def secrets(self, process: str) -> list[tuple[str, bool]]:
        """(Secret, optional) each process reads; the gateway keeps no state and gets none."""
        if process == "gateway":
            return []
        out = [(STORE_SECRET, False), (KAFKA_SECRET, True)]
        if process == self.token_service:
            out.append((OAUTH_SECRET, False))
        return out


# ---- Kubernetes ---------------------------------------------------------------------------------


def labels(system: System, process: str) -> dict[str, str]:
    return {LABEL_NAME: process, LABEL_PART_OF: system.name}


def deployment(system: System, process: str) -> dict:
    core = process in system.core
    selector = labels(system, process)
    pod_labels = dict(selector, **{LABEL_COMPONENT: "gateway" if process == "gateway" else "service"})
    env_from = [{"configMapRef": {"name": "reservo-config"}}]
    for secret, optional in system.secrets(process):
        ref = {"name": secret}
        if optional:
            ref["optional"] = True
        env_from.append({"secretRef": ref})
    probe = lambda path, period, failures: {  # noqa: E731
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 2,
        "failureThreshold": failures,
    }
    spec = {
        "revisionHistoryLimit": 5,
        "minReadySeconds": 5,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "selector": {"matchLabels": selector},
        "template": {
            "metadata": {
                "labels": pod_labels,
                "annotations": {
                    "prometheus.io/scrape": "true",
                    "prometheus.io/port": str(PORT),
                    "prometheus.io/path": "/actuator/prometheus",
                },
            },
            "spec": {
                "automountServiceAccountToken": False,
                # No <SERVICE>_PORT/_HOST variables: one named reservo-* would start with RESERVO_
                # and a process refuses variables that override no key.
                "enableServiceLinks": False,
                "terminationGracePeriodSeconds": GRACE_SECONDS,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": UID,
                    "runAsGroup": UID,
                    "fsGroup": UID,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "containers": [
                    {
                        "name": "reservo",
                        "image": IMAGE,
                        "imagePullPolicy": "IfNotPresent",
                        "args": ["serve", f"{system.name}/{process}", "--port", str(PORT), "--data", DATA_DIR],
                        "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
                        "envFrom": env_from,
                        "resources": RESOURCES_CORE if core else RESOURCES_OTHER,
                        # Ready within 100 ms once its store and event log answer; give those a minute.
                        "startupProbe": probe("/actuator/health/liveness", 1, 60),
                        "readinessProbe": probe("/actuator/health/readiness", 5, 2),
                        "livenessProbe": probe("/actuator/health/liveness", 10, 3),
                        "lifecycle": {"preStop": {"exec": {"command": ["/bin/sleep", str(PRESTOP_SLEEP_SECONDS)]}}},
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True,
                            "runAsNonRoot": True,
                            "capabilities": {"drop": ["ALL"]},
                        },
                        "volumeMounts": [
                            {"name": "data", "mountPath": DATA_DIR},
                            {"name": "tmp", "mountPath": "/tmp"},
                        ],
                    }
                ],
                "volumes": [
                    {"name": "data", "emptyDir": {"sizeLimit": "256Mi"}},
                    {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                ],
            },
        },
    }
    if not core:
        spec = {"replicas": 1, **spec}  # core ones: the HPA owns `replicas`
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": process, "labels": dict(pod_labels)},
        "spec": spec,
    }


def service(system: System, process: str) -> dict:
    spec = {
        "selector": labels(system, process),
        "ports": [{"name": "http", "port": PORT, "targetPort": "http", "protocol": "TCP"}],
    }
    if process == "gateway":  # the only entry point from outside
        spec = {"type": "LoadBalancer", "externalTrafficPolicy": "Local", **spec}
    else:
        spec = {"type": "ClusterIP", **spec}
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": process, "labels": labels(system, process)}, "spec": spec}


def hpa(system: System, process: str) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": process, "labels": labels(system, process)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": process},
            "minReplicas": HPA["min"],
            "maxReplicas": HPA["max"],
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": HPA["cpu_percent"]}},
                }
            ],
        },
    }


def pdb(system: System, process: str) -> dict:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": process, "labels": labels(system, process)},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(system, process)}},
    }


def dump(docs: list[dict]) -> str:
    return "---\n".join(yaml.safe_dump(d, sort_keys=False, default_flow_style=False, width=120) for d in docs)


HEADER = "# Generated by deploy/generate.py from systems/{system}/system.yaml. Do not edit: change the generator.\n"


def k8s_files(system: System) -> dict[str, str]:
    files: dict[str, str] = {}
    for process in system.processes:
        docs = [deployment(system, process), service(system, process)]
        if process in system.core:
            # Non-core processes run one replica: a PDB of minAvailable 1 would block node drains.
            docs += [hpa(system, process), pdb(system, process)]
        files[f"{process}.yaml"] = HEADER.format(system=system.name) + dump(docs)
    files["namespace.yaml"] = HEADER.format(system=system.name) + dump(
        [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": system.name, "labels": {LABEL_PART_OF: system.name}}}]
    )
    literals = [f"{k}={v}" for k, v in system.settings(KAFKA_BROKERS_K8S).items()]
    kustomization = {
        "namespace": system.name,
        "resources": ["namespace.yaml"] + [f"{p}.yaml" for p in system.processes],
        "configMapGenerator": [{"name": "reservo-config", "literals": literals}],
        "images": [{"name": IMAGE, "newTag": IMAGE_TAG}],
    }
    files["kustomization.yaml"] = (
        HEADER.format(system=system.name)
        + "# Kafka and PostgreSQL are not deployed here. Before applying, create the Secret "
        + STORE_SECRET
        + (f" and {OAUTH_SECRET}" if system.token_service else "")
        + f" ({KAFKA_SECRET} too if Kafka needs SASL): deploy/README.md.\n"
        + dump([kustomization])
    )
    return files


# ---- Compose ------------------------------------------------------------------------------------

COMPOSE_HEAD = f"""# Generated by deploy/generate.py from systems/*/system.yaml. Do not edit: change the generator.
# Every system on Kafka (KRaft, one broker) and PostgreSQL (one database per system), each service a
# container of the one image; only the gateways are published, on each system's default port.
#   docker compose -f deploy/compose.yaml -p reservo up --build

x-reservo: &reservo
  image: reservo:dev
  build:
    context: ..
    dockerfile: deploy/Dockerfile
  user: "{UID}:{UID}"
  read_only: true
  tmpfs: ["{DATA_DIR}:uid={UID},gid={UID}", /tmp]
  restart: unless-stopped
  stop_grace_period: 15s
  depends_on:
    kafka: {{condition: service_healthy}}
    postgres: {{condition: service_healthy}}
  healthcheck:
    # No curl in the image: bash's /dev/tcp asks for readiness.
    test: ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/{PORT} && printf 'GET /actuator/health/readiness HTTP/1.0\\\\r\\\\n\\\\r\\\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
    interval: 5s
    timeout: 2s
    retries: 3
    start_period: 10s
"""

COMPOSE_INFRA = """
  kafka:
    image: apache/kafka:3.7.0
    environment:
      KAFKA_NODE_ID: "1"
      KAFKA_PROCESS_ROLES: broker,controller
      KAFKA_LISTENERS: PLAINTEXT://:9092,CONTROLLER://:9093
      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://kafka:9092
      KAFKA_CONTROLLER_LISTENER_NAMES: CONTROLLER
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
      KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka:9093
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1"
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1"
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1"
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0"
      KAFKA_NUM_PARTITIONS: "4"            # events.partitions of every system
      KAFKA_LOG_RETENTION_HOURS: "168"     # events.retention-ms
    volumes: [kafka-data:/var/lib/kafka/data]
    healthcheck:
      test: ["CMD-SHELL", "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 >/dev/null 2>&1"]
      interval: 5s
      timeout: 10s
      retries: 30

  postgres:
    image: postgres:15
    environment:
      POSTGRES_USER: reservo
      POSTGRES_PASSWORD: reservo           # development only; Kubernetes reads it from a Secret
      POSTGRES_DB: reservo
    volumes:
      - postgres-data:/var/lib/postgresql/data
      - ./postgres-init.sql:/docker-entrypoint-initdb.d/reservo.sql:ro
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U reservo -d reservo"]
      interval: 2s
      timeout: 2s
      retries: 30
"""


def database(system: System) -> str:
    return system.name.replace("-", "_")


def compose(systems: list[System]) -> str:
    out = [COMPOSE_HEAD]
    for system in systems:
        env = system.settings(KAFKA_BROKERS_COMPOSE, host_prefix=f"{system.name}-")
        env[env_name("store.postgres.url")] = f"postgresql://reservo:reservo@postgres:5432/{database(system)}"
        out.append(f"x-env-{system.name}: &env-{system.name}\n")
        out += [f"  {k}: {v}\n" for k, v in env.items()]
    out.append("\nservices:")
    out.append(COMPOSE_INFRA)
    for system in systems:
        port = system.doc["gateway"]["port"]
        for process in system.processes:
            out.append(f"\n  {system.name}-{process}:\n    <<: *reservo\n")
            out.append(f"    command: [serve, {system.name}/{process}, --port, \"{PORT}\", --data, {DATA_DIR}]\n")
            out.append(f"    environment: *env-{system.name}\n")
            if process == "gateway":
                out.append(f"    ports: [\"{port}:{PORT}\"]\n")
    out.append("\nvolumes:\n  kafka-data: {}\n  postgres-data: {}\n")
    return "".join(out)


def postgres_init(systems: list[System]) -> str:
    lines = ["-- Generated by deploy/generate.py. One database per system (each service takes its own schema in it).\n"]
    lines += [f"CREATE DATABASE {database(s)} OWNER reservo;\n" for s in systems]
    return "".join(lines)


# ---- Main ---------------------------------------------------------------------------------------


def all_files(deploy: pathlib.Path) -> dict[pathlib.Path, str]:
    systems = [System(name) for name in SYSTEMS]
    on_disk = sorted(p.parent.name for p in (ROOT / "systems").glob("*/system.yaml"))
    if sorted(SYSTEMS) != on_disk:
        raise SystemExit(f"deploy/generate.py: SYSTEMS {SYSTEMS} differs from systems/*/system.yaml {on_disk}")
    files: dict[pathlib.Path, str] = {}
    for system in systems:
        for name, text in k8s_files(system).items():
            files[deploy / "k8s" / system.name / name] = text
    files[deploy / "compose.yaml"] = compose(systems)
    files[deploy / "postgres-init.sql"] = postgres_init(systems)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    parser.add_argument("--deploy-dir", type=pathlib.Path, default=ROOT / "deploy", help="where deploy/ is (a copy)")
    args = parser.parse_args()
    deploy = args.deploy_dir.resolve()
    files = all_files(deploy)
    generated_dirs = {p.parent for p in files if p.parent.parent.name == "k8s"}
    stale = [p for d in generated_dirs if d.is_dir() for p in d.iterdir() if p not in files]
    if args.check:
        differ = [p for p, text in files.items() if not p.is_file() or p.read_text() != text]
        for p in differ + stale:
            print(f"{p.relative_to(deploy.parent)}: {'not what deploy/generate.py writes' if p in files else 'not written by deploy/generate.py'}")
        return 1 if differ or stale else 0
    for p in stale:
        p.unlink()
    for p, text in files.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    print(f"wrote {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
