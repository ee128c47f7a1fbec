#!/usr/bin/env python3
"""Checks the rendered Kubernetes manifests and the compose file against the systems' YAMLs.

    python3 deploy/check_manifests.py --rendered DIR [--deploy-dir deploy]

DIR holds <system>.yaml, what `kubectl kustomize deploy/k8s/<system>` printed (scripts/check-deploy.sh
renders them). Prints one line per check group, `ok` or `FAIL` with the reasons below it, and exits 1
on any failure. Written apart from deploy/generate.py on purpose: it reads the systems' YAMLs itself
and knows nothing of how the manifests were made.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
from urllib.parse import urlparse

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
PORT = 8080
DATA_DIR = "/var/lib/reservo"
READINESS = "/actuator/health/readiness"
LIVENESS = "/actuator/health/liveness"

# Keys the process knows although the system YAML does not spell them out (kit/core/config_schema.cpp,
# and the distributed engines' keys). `{s}` is any service of the system.
EXTRA_KEYS = [
    "runtime.port-base",
    "events.engine",
    "events.kafka.brokers",
    "events.kafka.security-protocol",
    "events.kafka.sasl-mechanism",
    "events.kafka.sasl-username",
    "events.kafka.sasl-password",
    "events.kafka.replication-factor",
    "store.engine",
    "store.postgres.url",
    "services.{s}.url",
    "services.{s}.route-timeout-ms",
    "services.{s}.store.engine",
    "services.{s}.store.postgres.url",
]
# Variables the runtime reads that override no key (kit/core/config_schema.cpp ProcessVariables), and
# the only value each may have here.
PROCESS_VARIABLES = {"RESERVO_LOG_LEVEL": None, "RESERVO_FAULTS": "0"}  # None: any value


def env_name(key: str) -> str:
    """Config::EnvName (kit/core/config.cpp)."""
    return "RESERVO_" + key.upper().replace(".", "_").replace("-", "_")


class System:
    def __init__(self, name: str):
        self.name = name
        doc = yaml.safe_load((ROOT / "systems" / name / "system.yaml").read_text())
        self.doc = doc
        self.services = [s["name"] for s in doc["services"]]
        self.processes = ["gateway"] + self.services
        self.deps = {s["name"]: list((s.get("dependencies") or {}).keys()) for s in doc["services"]}
        self.token_service = ((doc.get("gateway") or {}).get("auth") or {}).get("token-service")
        core = {"gateway"} | ({self.token_service} if self.token_service else set())
        for caller, callees in self.deps.items():
            if callees:
                core |= {caller, *callees}
        self.core = core
        keys: set[str] = set()
        self._leaves(doc, "", keys)
        for template in EXTRA_KEYS:
            for s in self.services if "{s}" in template else [None]:
                keys.add(template.format(s=s))
        for caller, callees in self.deps.items():
            keys |= {f"services.{caller}.dependencies.{callee}.url" for callee in callees}
        self.variables: dict[str, set[str]] = {}
        for key in keys:
            self.variables.setdefault(env_name(key), set()).add(key)

    def _leaves(self, node, prefix: str, out: set[str]) -> None:
        join = lambda k: f"{prefix}.{k}" if prefix else str(k)  # noqa: E731
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, (dict, list)) and not (isinstance(v, list) and all(not isinstance(e, dict) for e in v)):
                    self._leaves(v, join(k), out)
                else:
                    out.add(join(k))
        elif isinstance(node, list):  # a list of maps, addressed by their name
            for el in node:
                if isinstance(el, dict) and "name" in el:
                    self._leaves({k: v for k, v in el.items() if k != "name"}, join(el["name"]), out)

    def env_problem(self, var: str, value) -> str | None:
        if var in PROCESS_VARIABLES:
            want = PROCESS_VARIABLES[var]
            if want is not None and str(value) != want:
                return f"{var}={value}: only {want} is allowed here"
            return None
        keys = self.variables.get(var)
        if not keys:
            return f"{var} overrides no configuration key of {self.name} (the process would refuse to start)"
        if len(keys) > 1:
            return f"{var} overrides more than one key: {', '.join(sorted(keys))}"
        return None


class Report:
    def __init__(self):
        self.failed = False

    def group(self, name: str, problems: list[str], summary: str = "") -> None:
        if problems:
            self.failed = True
            print(f"FAIL  {name}")
            for p in problems:
                print(f"      {p}")
        else:
            print(f"ok    {name}{': ' + summary if summary else ''}")


def index(docs: list[dict]) -> dict[tuple[str, str], dict]:
    return {(d.get("kind"), (d.get("metadata") or {}).get("name")): d for d in docs if d}


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_deployment(system: System, process: str, docs: dict, problems: list[str]) -> None:
    where = f"{process}:"
    dep = docs.get(("Deployment", process))
    if not dep:
        problems.append(f"{where} no Deployment named {process}")
        return
    spec = dep.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    pod_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    for label, want in (("app.kubernetes.io/name", process), ("app.kubernetes.io/part-of", system.name)):
        if pod_labels.get(label) != want:
            problems.append(f"{where} pod label {label} is {pod_labels.get(label)!r}, not {want!r}")
    if not selects((spec.get("selector") or {}).get("matchLabels") or {}, pod_labels):
        problems.append(f"{where} the Deployment's selector does not select its pods")
    strategy = spec.get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate" or str(rolling.get("maxUnavailable")) != "0":
        problems.append(f"{where} strategy is not RollingUpdate with maxUnavailable 0")
    if str(rolling.get("maxSurge", "25%")) in ("0", "0%"):
        problems.append(f"{where} maxSurge 0 with maxUnavailable 0 can not roll")
    containers = pod.get("containers") or []
    mine = [c for c in containers if f"{system.name}/{process}" in (c.get("args") or []) + (c.get("command") or [])]
    if len(mine) != 1:
        problems.append(f"{where} no container running `reservo serve {system.name}/{process}`")
        return
    c = mine[0]
    args = c.get("args") or []
    if "serve" not in args:
        problems.append(f"{where} the container does not run `serve`")
    port = None
    if "--port" in args and args.index("--port") + 1 < len(args):
        port = str(args[args.index("--port") + 1])
    named = {p.get("name"): str(p.get("containerPort")) for p in c.get("ports") or []}
    if port is None or port not in named.values():
        problems.append(f"{where} --port {port} is not a declared containerPort ({sorted(named.values())})")
    if "--data" not in args or args[args.index("--data") + 1] != DATA_DIR:
        problems.append(f"{where} --data is not {DATA_DIR}")
    for kind, path in (("readinessProbe", READINESS), ("livenessProbe", LIVENESS)):
        get = (c.get(kind) or {}).get("httpGet") or {}
        probe_port = str(named.get(get.get("port"), get.get("port")))
        if get.get("path") != path or probe_port != port:
            problems.append(f"{where} {kind} is not GET {path} on port {port} (got {get.get('path')} on {probe_port})")
    res = c.get("resources") or {}
    for part in ("requests", "limits"):
        for what in ("cpu", "memory"):
            if not (res.get(part) or {}).get(what):
                problems.append(f"{where} no resources.{part}.{what}")
    env_from = c.get("envFrom") or []
    maps = [e["configMapRef"]["name"] for e in env_from if "configMapRef" in e]
    secrets = {e["secretRef"]["name"]: e["secretRef"].get("optional", False) for e in env_from if "secretRef" in e}
    secrets.update(
        {
            e["valueFrom"]["secretKeyRef"]["name"]: e["valueFrom"]["secretKeyRef"].get("optional", False)
            for e in c.get("env") or []
            if "secretKeyRef" in (e.get("valueFrom") or {})
        }
    )
    settings: dict[str, str] = {}
    for name in maps:
        cm = docs.get(("ConfigMap", name))
        if not cm:
            problems.append(f"{where} envFrom ConfigMap {name} is not in the manifests")
            continue
        settings.update(cm.get("data") or {})
    for var, want in (("RESERVO_EVENTS_ENGINE", "kafka"), ("RESERVO_STORE_ENGINE", "postgres")):
        if settings.get(var) != want:
            problems.append(f"{where} its ConfigMaps set {var}={settings.get(var)}, not {want}")
    if process != "gateway" and not any(not optional for optional in secrets.values()):
        problems.append(f"{where} reads no (required) Secret: the store's URL with its password comes from one")
    if process == system.token_service and len([s for s, o in secrets.items() if not o]) < 2:
        problems.append(f"{where} the token service reads its client secrets and passwords from no Secret of its own")
    for e in c.get("env") or []:
        if e.get("name", "").startswith("RESERVO_") and "value" in e:
            if why := system.env_problem(e["name"], e["value"]):
                problems.append(f"{where} env {why}")
    pre_stop = (c.get("lifecycle") or {}).get("preStop") or {}
    if not pre_stop:
        problems.append(f"{where} no preStop hook (endpoints must go before SIGTERM closes the listener)")
    sleep = 0
    command = (pre_stop.get("exec") or {}).get("command") or []
    if command:
        if command[0] not in ("/bin/sleep", "sleep", "/usr/bin/sleep"):
            problems.append(f"{where} preStop runs {command[0]}, not sleep (the image has nothing else)")
        else:
            sleep = int(command[1]) if len(command) > 1 and str(command[1]).isdigit() else 0
    grace = pod.get("terminationGracePeriodSeconds", 30)
    if grace < sleep + 10:
        problems.append(f"{where} terminationGracePeriodSeconds {grace} < preStop {sleep} s + the 10 s drain")
    sc = c.get("securityContext") or {}
    psc = pod.get("securityContext") or {}
    if not (sc.get("runAsNonRoot") or psc.get("runAsNonRoot")):
        problems.append(f"{where} not runAsNonRoot")
    if not sc.get("readOnlyRootFilesystem"):
        problems.append(f"{where} root filesystem not read-only")
    mounts = {m.get("mountPath"): m.get("name") for m in c.get("volumeMounts") or []}
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    if DATA_DIR not in mounts or "emptyDir" not in volumes.get(mounts[DATA_DIR], {}) and "persistentVolumeClaim" not in volumes.get(mounts[DATA_DIR], {}):
        problems.append(f"{where} no writable volume at {DATA_DIR}")
    if pod.get("enableServiceLinks", True):
        problems.append(f"{where} enableServiceLinks is on: a Service named reservo-* would set RESERVO_*_SERVICE_HOST")
    # The Service callers and the gateway reach it by.
    svc = docs.get(("Service", process))
    if not svc:
        problems.append(f"{where} no Service named {process}")
    else:
        sspec = svc.get("spec") or {}
        if not selects(sspec.get("selector") or {}, pod_labels):
            problems.append(f"{where} its Service does not select its pods")
        ports = sspec.get("ports") or []
        if not any(p.get("port") == PORT and str(named.get(p.get("targetPort"), p.get("targetPort"))) == port for p in ports):
            problems.append(f"{where} its Service has no port {PORT} to the container's {port}")
        if process == "gateway" and sspec.get("type") != "LoadBalancer" and not any(k == "Ingress" for k, _ in docs):
            problems.append(f"{where} the gateway is exposed by neither a LoadBalancer Service nor an Ingress")
        if process != "gateway" and sspec.get("type") not in (None, "ClusterIP"):
            problems.append(f"{where} only the gateway is exposed, but its Service is {sspec.get('type')}")
    if process in system.core:
        hpa = [
            d for (k, _), d in docs.items()
            if k == "HorizontalPodAutoscaler" and ((d.get("spec") or {}).get("scaleTargetRef") or {}).get("name") == process
        ]
        if not hpa:
            problems.append(f"{where} core service without a HorizontalPodAutoscaler")
        elif hpa[0].get("apiVersion") != "autoscaling/v2" or not any(
            ((m.get("resource") or {}).get("name") == "cpu") for m in (hpa[0]["spec"].get("metrics") or [])
        ):
            problems.append(f"{where} its HPA is not autoscaling/v2 on CPU")
        elif hpa[0]["spec"].get("minReplicas", 1) < 2:
            problems.append(f"{where} its HPA allows one replica: its PDB would block every drain")
        pdbs = [
            d for (k, _), d in docs.items()
            if k == "PodDisruptionBudget" and selects(((d.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}, pod_labels)
        ]
        if not pdbs or str(pdbs[0]["spec"].get("minAvailable")) != "1":
            problems.append(f"{where} core service without a PodDisruptionBudget of minAvailable 1")


def check_env_everywhere(system: System, docs: list[dict], problems: list[str]) -> None:
    """No fault injection, and no variable a process would refuse, anywhere in the manifests."""
    for d in docs:
        if d.get("kind") in ("ConfigMap", "Secret"):
            name = d["metadata"]["name"]
            for var, value in {**(d.get("data") or {}), **(d.get("stringData") or {})}.items():
                if var.startswith("RESERVO_"):
                    if why := system.env_problem(var, value):
                        problems.append(f"{d['kind']} {name}: {why}")
        text = yaml.safe_dump(d)
        if "RESERVO_FAULTS" in text and d.get("kind") not in ("ConfigMap", "Secret"):
            for c in ((((d.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []):
                for e in c.get("env") or []:
                    if e.get("name") == "RESERVO_FAULTS" and str(e.get("value")) != "0":
                        problems.append(f"{d['kind']} {d['metadata']['name']}: RESERVO_FAULTS={e.get('value')}")
        if "/actuator/faults" in text:
            problems.append(f"{d['kind']} {d['metadata'].get('name')}: mentions /actuator/faults")


def check_urls(system: System, docs: dict, problems: list[str]) -> None:
    """Every URL variable points at a Service of the manifests, on its port."""
    for (kind, name), d in docs.items():
        if kind != "ConfigMap":
            continue
        for var, value in (d.get("data") or {}).items():
            if var.startswith("RESERVO_") and var.endswith("_URL") and str(value).startswith("http"):
                u = urlparse(value)
                host = u.hostname.split(".")[0] if u.hostname else ""
                svc = docs.get(("Service", host))
                if not svc or not any(p.get("port") == (u.port or 80) for p in svc["spec"].get("ports") or []):
                    problems.append(f"ConfigMap {name}: {var}={value} reaches no Service of the manifests")
        services = {env_name(f"services.{s}.url") for s in system.services}
        missing = services - set((d.get("data") or {}).keys())
        if missing:
            problems.append(f"ConfigMap {name}: no {', '.join(sorted(missing))} (the gateway would look on loopback)")


def check_k8s(system: System, rendered: pathlib.Path, report: Report) -> None:
    problems: list[str] = []
    try:
        docs = [d for d in yaml.safe_load_all(rendered.read_text()) if d]
    except (OSError, yaml.YAMLError) as e:
        report.group(f"k8s/{system.name}", [f"cannot read {rendered}: {e}"])
        return
    by_name = index(docs)
    for process in system.processes:
        check_deployment(system, process, by_name, problems)
    known = set(system.processes)
    for d in docs:
        if d.get("kind") == "Deployment" and d["metadata"]["name"] not in known:
            problems.append(f"Deployment {d['metadata']['name']} is no process of {system.name}")
        ns = d["metadata"].get("namespace")
        if d.get("kind") != "Namespace" and ns != system.name:
            problems.append(f"{d['kind']} {d['metadata']['name']} is in namespace {ns!r}, not {system.name!r}")
    check_env_everywhere(system, docs, problems)
    check_urls(system, by_name, problems)
    core = [p for p in system.processes if p in system.core]
    report.group(
        f"k8s/{system.name}",
        problems,
        f"{len(system.processes)} Deployments+Services ({', '.join(system.processes)}); HPA+PDB for {', '.join(core)}",
    )


def check_compose(systems: list[System], path: pathlib.Path, report: Report) -> None:
    problems: list[str] = []
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        report.group(f"compose ({path.name})", [f"cannot parse: {e}"])
        return
    services = (doc or {}).get("services") or {}
    for infra in ("kafka", "postgres"):
        if infra not in services:
            problems.append(f"no {infra} service")
    expected = set()
    for system in systems:
        for process in system.processes:
            name = f"{system.name}-{process}"
            expected.add(name)
            s = services.get(name)
            if not s:
                problems.append(f"{name}: missing")
                continue
            command = [str(a) for a in s.get("command") or []]
            if command[:2] != ["serve", f"{system.name}/{process}"]:
                problems.append(f"{name}: command is {command}, not serve {system.name}/{process}")
            env = s.get("environment") or {}
            if isinstance(env, list):
                env = dict(e.split("=", 1) for e in env)
            for var, want in (("RESERVO_EVENTS_ENGINE", "kafka"), ("RESERVO_STORE_ENGINE", "postgres")):
                if env.get(var) != want:
                    problems.append(f"{name}: {var}={env.get(var)}, not {want}")
            for var, value in env.items():
                if var.startswith("RESERVO_") and (why := system.env_problem(var, value)):
                    problems.append(f"{name}: {why}")
            published = bool(s.get("ports"))
            if published != (process == "gateway"):
                problems.append(f"{name}: {'published' if published else 'not published'}; only gateways are")
            depends = s.get("depends_on") or {}
            if not all(i in depends for i in ("kafka", "postgres")):
                problems.append(f"{name}: does not wait for kafka and postgres")
    for name in services:
        if name not in expected and name not in ("kafka", "postgres"):
            problems.append(f"{name}: no process of any system")
    report.group(f"compose ({path.name})", problems, f"{len(expected)} reservo containers on kafka + postgres")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rendered", required=True, type=pathlib.Path, help="directory of <system>.yaml renders")
    parser.add_argument("--deploy-dir", default=ROOT / "deploy", type=pathlib.Path)
    args = parser.parse_args()
    names = sorted(p.parent.name for p in (ROOT / "systems").glob("*/system.yaml"))
    systems = [System(n) for n in names]
    report = Report()
    for system in systems:
        check_k8s(system, args.rendered / f"{system.name}.yaml", report)
    check_compose(systems, args.deploy_dir / "compose.yaml", report)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
