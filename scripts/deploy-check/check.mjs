// Validates the deployment files offline, without a container engine or a cluster (run by
// scripts/check-deployment.sh, which installs what this needs):
//  - docker-compose.yml: Debian's `docker-compose config -q` (with .env.example), then healthchecks, depends_on
//    conditions, published ports and the environment of every service container;
//  - k8s/: every kustomization rendered by `kubectl kustomize`, every object validated against the Kubernetes
//    schemas of the kubernetes-models package (types, required fields, enums) plus a strict check for unknown
//    fields (from the same package's type declarations); then: selectors match their pods' labels, probe and
//    Service ports exist, probe paths of the services are routes of openapi.yaml, the environment each service
//    reads is set, and the hardening the issue asks for (securityContext, /tmp, resources, probes, PDB and HPA).
// Prints one line per check and ends with "deployment: N passed, N failed"; exits 1 on any failure.

import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
// The repository to check; another root (a copy with mistakes put in) is how selftest.mjs proves the checks bite.
const root = path.resolve(process.argv[2] || path.join(here, "..", ".."));
const modules = path.join(here, "node_modules");
const IMAGE = "reactive-shop";
const SERVICE_PORTS = { user: 3001, product: 3002, order: 3003, gateway: 8080 };

let passed = 0;
let failed = 0;

function check(name, problems) {
  if (problems.length === 0) {
    passed++;
    console.log(`ok    ${name}`);
  } else {
    failed++;
    console.log(`FAIL  ${name}`);
    for (const problem of problems) console.log(`        - ${problem}`);
  }
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options });
}

// ---------------------------------------------------------------------------------------------------------------
// What the code reads: environment variables and routes.

/** Every environment variable the Java code reads (string literals handed to an env lookup), and the script's. */
function variablesTheCodeReads() {
  const names = new Set(["JAVA_TOOL_OPTIONS", "HEALTH_PORT"]);
  for (const service of Object.keys(SERVICE_PORTS)) names.add(`${service.toUpperCase()}_HTTP_PORT`);
  const lookup = /\b(?:env|getenv|get|getOrDefault|number)\(\s*(?:env\s*,\s*)?"([A-Z][A-Z0-9_]*)"/g;
  for (const file of javaSources(root)) {
    for (const match of readFileSync(file, "utf8").matchAll(lookup)) names.add(match[1]);
  }
  return names;
}

function javaSources(dir) {
  const files = [];
  for (const entry of readdirSync(dir)) {
    if (["node_modules", ".git", "target", "test", "data"].includes(entry)) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) files.push(...javaSources(full));
    else if (entry.endsWith(".java")) files.push(full);
  }
  return files;
}

/** ENV lines of the runtime stage of the Dockerfile: defaults every container of the image has. */
function imageEnvironment() {
  const stages = readFileSync(path.join(root, "Dockerfile"), "utf8").split(/^FROM /m);
  const env = {};
  for (const match of stages[stages.length - 1].matchAll(/^ENV\s+([A-Z_]+)=(\S+)/gm)) env[match[1]] = match[2];
  return env;
}

/** The GET paths of openapi.yaml. */
function describedGetPaths() {
  const description = parse(readFileSync(path.join(root, "openapi.yaml"), "utf8"));
  return new Set(Object.entries(description.paths).filter(([, item]) => item.get).map(([p]) => p));
}

/** The parts a container of the image runs, from its arguments (--services a,b or --services=a,b) or SERVICES. */
function partsOf(args, env) {
  const list = args || [];
  let value = env.SERVICES;
  list.forEach((arg, i) => {
    if (arg === "--services") value = list[i + 1];
    else if (arg.startsWith("--services=")) value = arg.slice("--services=".length);
  });
  if (!value) return Object.keys(SERVICE_PORTS);
  return value.split(",").map((s) => s.trim().replace(/-service$/, ""));
}

/**
 * Problems with the environment of one container of the image: what its parts need must be set (the image runs
 * with EMBEDDED=false, so a missing store address is a start failure), and every variable set must be one the code
 * reads, or one that another value refers to as $(NAME).
 */
function environmentProblems(where, parts, env, known) {
  const problems = [];
  const needed = new Set(["NATS_URL", "EMBEDDED"]);
  if (parts.includes("user") || parts.includes("product")) needed.add("MONGO_URI");
  if (parts.includes("order")) needed.add("PG_URI");
  const services = parts.filter((p) => p !== "gateway");
  if (services.length === 1) needed.add("HTTP_PORT");
  if (parts.includes("gateway")) needed.add("GATEWAY_HTTP_PORT");
  for (const name of needed) {
    if (env[name] === undefined) problems.push(`${where}: ${name} is not set (runs ${parts.join(",")})`);
  }
  if (env.EMBEDDED !== undefined && env.EMBEDDED !== "false") problems.push(`${where}: EMBEDDED must be "false"`);
  const referenced = new Set();
  for (const value of Object.values(env)) {
    for (const match of String(value).matchAll(/\$\(([A-Z_][A-Z0-9_]*)\)/g)) referenced.add(match[1]);
  }
  for (const name of Object.keys(env)) {
    if (!known.has(name) && !referenced.has(name)) problems.push(`${where}: ${name} is set but nothing reads it`);
  }
  for (const name of referenced) {
    if (env[name] === undefined) problems.push(`${where}: $(${name}) refers to a variable that is not set`);
  }
  return problems;
}

/** The port a container of the image listens on for its first part (HTTP_PORT, else the part's default). */
function listeningPort(parts, env) {
  const services = parts.filter((p) => p !== "gateway");
  if (services.length === 1) return Number(env.HTTP_PORT ?? SERVICE_PORTS[services[0]]);
  if (parts.length === 1 && parts[0] === "gateway") return Number(env.GATEWAY_HTTP_PORT ?? 8080);
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Docker Compose

function checkCompose(known, imageEnv) {
  const file = path.join(root, "docker-compose.yml");
  const envFile = path.join(root, ".env.example");
  let rendered;
  try {
    run("docker-compose", ["--env-file", envFile, "-f", file, "config", "-q"], { cwd: root });
    rendered = parse(run("docker-compose", ["--env-file", envFile, "-f", file, "config"], { cwd: root }));
    check("compose: docker-compose config -q (with .env.example)", []);
  } catch (e) {
    check("compose: docker-compose config -q (with .env.example)", [String(e.stderr || e.message).trim()]);
    return;
  }
  const services = rendered.services;
  const health = [];
  const depends = [];
  const ports = [];
  const envProblems = [];
  for (const [name, service] of Object.entries(services)) {
    if (!service.healthcheck || service.healthcheck.disable) health.push(`${name} has no healthcheck`);
    for (const [dependency, how] of Object.entries(service.depends_on || {})) {
      if (how.condition !== "service_healthy") {
        depends.push(`${name} waits for ${dependency} to be ${how.condition}, not service_healthy`);
      }
      if (!services[dependency]?.healthcheck) depends.push(`${name} depends on ${dependency}, which has no healthcheck`);
    }
    if (!String(service.image || "").startsWith(`${IMAGE}:`)) continue;
    const parts = partsOf(service.command, service.environment || {});
    // Only the single entry point publishes a port: every other service can be scaled (--scale product=2).
    if (!parts.includes("gateway") && (service.ports || []).length > 0) {
      ports.push(`${name} publishes ${JSON.stringify(service.ports)}, so it cannot be scaled`);
    }
    const env = { ...imageEnv, ...(service.environment || {}) };
    envProblems.push(...environmentProblems(`compose ${name}`, parts, env, known));
    const test = (service.healthcheck?.test || []).join(" ");
    if (!test.includes("/app/healthcheck")) health.push(`${name} does not use the image's /app/healthcheck`);
  }
  check("compose: every container has a healthcheck", health);
  check("compose: depends_on waits for healthy dependencies", depends);
  check("compose: only the gateway publishes a port (services scale)", ports);
  check("compose: each service container has the environment it reads", envProblems);
  if (existsSync(path.join(root, ".git"))) {
    const tracked = run("git", ["ls-files", ".env"], { cwd: root }).trim();
    check("compose: .env (credentials) is not committed", tracked ? [".env is tracked by git"] : []);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes: rendering and schema validation

/** Renders every kustomization under k8s/ (a copy, with each overlay's example secrets standing in for its own). */
function renderKustomizations() {
  const copy = mkdtempSync(path.join(tmpdir(), "k8s-check-"));
  cpSync(path.join(root, "k8s"), copy, { recursive: true });
  const rendered = [];
  try {
    for (const dir of kustomizationDirs(copy)) {
      for (const example of readdirSync(dir).filter((f) => f.endsWith(".env.example"))) {
        const target = path.join(dir, example.replace(/\.example$/, ""));
        if (!existsSync(target)) cpSync(path.join(dir, example), target);
      }
      const name = path.relative(copy, dir);
      try {
        const docs = parseAllDocuments(run("kubectl", ["kustomize", dir])).map((d) => d.toJS());
        rendered.push({ name, objects: docs.filter(Boolean) });
        check(`k8s/${name}: kubectl kustomize renders (${docs.length} objects)`, []);
      } catch (e) {
        check(`k8s/${name}: kubectl kustomize renders`, [String(e.stderr || e.message).trim()]);
      }
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  return rendered;
}

function kustomizationDirs(dir) {
  const dirs = existsSync(path.join(dir, "kustomization.yaml")) ? [dir] : [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) dirs.push(...kustomizationDirs(full));
  }
  return dirs;
}

/** The kubernetes-models class for an object's apiVersion and kind (apps/v1 Deployment -> apps/v1/Deployment). */
function modelFile(object) {
  return `kubernetes-models/${object.apiVersion}/${object.kind}`;
}

async function schemaProblems(object) {
  let Model;
  try {
    Model = (await import(modelFile(object)))[object.kind];
  } catch (e) {
    return [`${object.kind} ${object.apiVersion} is not a known Kubernetes kind`];
  }
  const problems = [];
  try {
    new Model(object).validate();
  } catch (e) {
    problems.push(e.message);
  }
  problems.push(...unknownFields(object, path.join(modules, `${modelFile(object)}.d.ts`), ""));
  return problems;
}

// The schemas of kubernetes-models allow any extra field; a misspelt one (readinessprobe, imagepullPolicy) would
// pass. Its type declarations list each type's fields: walk the object along them and report what is not there.
const declarations = new Map();

function declaration(file) {
  if (!declarations.has(file)) {
    const text = readFileSync(file, "utf8");
    const imports = new Map();
    for (const match of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm)) {
      for (const name of match[1].split(",").map((n) => n.trim())) imports.set(name, match[2]);
    }
    const body = text.match(/^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m);
    const fields = new Map();
    if (body) {
      for (const match of body[1].matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)) fields.set(match[1], match[2]);
    }
    declarations.set(file, { imports, fields: body ? fields : null, dir: path.dirname(file) });
  }
  return declarations.get(file);
}

function typeFile(from, typeName) {
  const spec = from.imports.get(typeName);
  if (!spec) return null;
  return `${spec.startsWith(".") ? path.resolve(from.dir, spec) : path.join(modules, spec)}.d.ts`;
}

function unknownFields(value, file, where) {
  const type = declaration(file);
  if (!type.fields || value === null || typeof value !== "object" || Array.isArray(value)) return [];
  const problems = [];
  for (const [key, child] of Object.entries(value)) {
    const declared = type.fields.get(key);
    if (declared === undefined) {
      problems.push(`${where || "."}: unknown field "${key}"`);
      continue;
    }
    const element = declared.match(/^Array<(\w+)>$/)?.[1] ?? declared.match(/^(I\w+)$/)?.[1];
    const childFile = element ? typeFile(type, element) : null;
    if (!childFile) continue;
    const items = Array.isArray(child) ? child : [child];
    items.forEach((item, i) => problems.push(...unknownFields(item, childFile,
      `${where}.${key}${Array.isArray(child) ? `[${i}]` : ""}`)));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes: how the objects fit together

function selects(selector, labels) {
  return Object.entries(selector || {}).every(([k, v]) => (labels || {})[k] === v);
}

function workloads(objects) {
  return objects.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind));
}

function podLabels(workload) {
  return workload.spec.template.metadata?.labels || {};
}

function containerPort(container, port) {
  return (container.ports || []).find((p) => p.name === port || p.containerPort === port);
}

function checkRendered({ name, objects }, known, imageEnv, getPaths) {
  const label = `k8s/${name}`;
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const secrets = new Set(byKind("Secret").map((o) => o.metadata.name));
  const configMaps = new Set(byKind("ConfigMap").map((o) => o.metadata.name));
  const isBase = !objects.some((o) => o.kind === "Secret");

  // Selectors match the labels of the pods they mean.
  const selectorProblems = [];
  for (const w of workloads(objects)) {
    if (!selects(w.spec.selector.matchLabels, podLabels(w))) {
      selectorProblems.push(`${w.kind} ${w.metadata.name}: selector does not match its pod template's labels`);
    }
  }
  for (const s of byKind("Service")) {
    const targets = workloads(objects).filter((w) => selects(s.spec.selector, podLabels(w)));
    if (targets.length === 0) selectorProblems.push(`Service ${s.metadata.name} selects no pods`);
    for (const port of s.spec.ports || []) {
      const target = port.targetPort ?? port.port;
      for (const w of targets) {
        if (!w.spec.template.spec.containers.some((c) => containerPort(c, target))) {
          selectorProblems.push(`Service ${s.metadata.name}: targetPort ${target} is not a port of ${w.metadata.name}`);
        }
      }
    }
  }
  for (const pdb of byKind("PodDisruptionBudget")) {
    if (!workloads(objects).some((w) => selects(pdb.spec.selector.matchLabels, podLabels(w)))) {
      selectorProblems.push(`PodDisruptionBudget ${pdb.metadata.name} selects no pods`);
    }
  }
  for (const sts of byKind("StatefulSet")) {
    const governing = byKind("Service").find((s) => s.metadata.name === sts.spec.serviceName);
    if (!governing || governing.spec.clusterIP !== "None") {
      selectorProblems.push(`StatefulSet ${sts.metadata.name}: serviceName ${sts.spec.serviceName} is not a headless Service`);
    } else if (!selects(governing.spec.selector, podLabels(sts))) {
      selectorProblems.push(`StatefulSet ${sts.metadata.name}: its headless Service does not select its pods`);
    }
  }
  check(`${label}: selectors match their pods' labels, Service ports exist`, selectorProblems);

  // Every Deployment has a PodDisruptionBudget and a HorizontalPodAutoscaler.
  const perService = [];
  for (const d of byKind("Deployment")) {
    if (!byKind("PodDisruptionBudget").some((p) => selects(p.spec.selector.matchLabels, podLabels(d)))) {
      perService.push(`Deployment ${d.metadata.name} has no PodDisruptionBudget`);
    }
    if (!byKind("HorizontalPodAutoscaler").some((h) => h.spec.scaleTargetRef.kind === "Deployment"
        && h.spec.scaleTargetRef.name === d.metadata.name)) {
      perService.push(`Deployment ${d.metadata.name} has no HorizontalPodAutoscaler`);
    }
    if (d.spec.replicas !== undefined) perService.push(`Deployment ${d.metadata.name} sets replicas beside its HPA`);
  }
  for (const h of byKind("HorizontalPodAutoscaler")) {
    if (!byKind("Deployment").some((d) => d.metadata.name === h.spec.scaleTargetRef.name)) {
      perService.push(`HorizontalPodAutoscaler ${h.metadata.name} scales a Deployment that does not exist`);
    }
  }
  check(`${label}: a PodDisruptionBudget and an HPA per service`, perService);

  // Pods: hardening, resources, probes, image pull, volumes.
  const pods = [];
  const probes = [];
  const envProblems = [];
  for (const w of workloads(objects)) {
    const what = `${w.kind} ${w.metadata.name}`;
    const pod = w.spec.template.spec;
    const podSecurity = pod.securityContext || {};
    if (podSecurity.runAsNonRoot !== true) pods.push(`${what}: runAsNonRoot is not true`);
    const tmpVolumes = new Set((pod.volumes || []).filter((v) => v.emptyDir).map((v) => v.name));
    for (const volume of pod.volumes || []) {
      if (volume.configMap && !configMaps.has(volume.configMap.name)) {
        pods.push(`${what}: ConfigMap ${volume.configMap.name} does not exist`);
      }
    }
    for (const c of pod.containers) {
      const where = `${what}/${c.name}`;
      const security = c.securityContext || {};
      const seccomp = security.seccompProfile?.type ?? podSecurity.seccompProfile?.type;
      if (seccomp !== "RuntimeDefault") pods.push(`${where}: seccompProfile is not RuntimeDefault`);
      if (security.readOnlyRootFilesystem !== true) pods.push(`${where}: root filesystem is not read-only`);
      if (security.allowPrivilegeEscalation !== false) pods.push(`${where}: allowPrivilegeEscalation is not false`);
      if (!(security.capabilities?.drop || []).includes("ALL")) pods.push(`${where}: capabilities ALL not dropped`);
      if (!(c.volumeMounts || []).some((m) => m.mountPath === "/tmp" && tmpVolumes.has(m.name))) {
        pods.push(`${where}: /tmp is not an emptyDir`);
      }
      const r = c.resources || {};
      if (!r.requests?.cpu || !r.requests?.memory || !r.limits?.memory) {
        pods.push(`${where}: needs cpu and memory requests and a memory limit`);
      }
      if (c.imagePullPolicy !== "IfNotPresent") pods.push(`${where}: imagePullPolicy is not IfNotPresent`);
      const tag = c.image.includes(":") ? c.image.slice(c.image.lastIndexOf(":") + 1) : "";
      if (!tag || tag === "latest") pods.push(`${where}: image ${c.image} has no fixed tag`);
      for (const ref of c.env || []) {
        const secret = ref.valueFrom?.secretKeyRef?.name;
        if (secret && !secrets.has(secret) && !(isBase && secret === "shop-credentials")) {
          pods.push(`${where}: Secret ${secret} does not exist`);
        }
      }

      const isService = c.image.split(":")[0] === IMAGE;
      const env = { ...(isService ? imageEnv : {}) };
      for (const e of c.env || []) env[e.name] = e.value ?? `<${Object.keys(e.valueFrom || {})[0]}>`;
      const parts = isService ? partsOf(c.args, env) : [];
      for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const probe = c[kind];
        if (!probe) {
          probes.push(`${where}: no ${kind}`);
          continue;
        }
        const action = probe.httpGet || probe.tcpSocket;
        if (action) {
          const port = containerPort(c, action.port);
          if (!port) probes.push(`${where}: ${kind} port ${action.port} is not a container port`);
          if (isService && port && port.containerPort !== listeningPort(parts, env)) {
            probes.push(`${where}: ${kind} port ${port.containerPort} is not the port the service listens on`);
          }
        }
        if (isService && probe.httpGet && !getPaths.has(probe.httpGet.path)) {
          probes.push(`${where}: ${kind} path ${probe.httpGet.path} is not a GET route of openapi.yaml`);
        }
      }
      if (isService) envProblems.push(...environmentProblems(where, parts, env, known));
    }
  }
  check(`${label}: every pod is non-root, read-only, capability-free, seccomp'd, with resources`, pods);
  check(`${label}: startup, readiness and liveness probes on existing ports and routes`, probes);
  check(`${label}: each service container has the environment it reads`, envProblems);
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const known = variablesTheCodeReads();
  const imageEnv = imageEnvironment();
  const getPaths = describedGetPaths();
  checkCompose(known, imageEnv);
  for (const rendered of renderKustomizations()) {
    const problems = [];
    for (const object of rendered.objects) {
      for (const problem of await schemaProblems(object)) {
        problems.push(`${object.kind} ${object.metadata?.name}: ${problem}`);
      }
    }
    check(`k8s/${rendered.name}: every object valid against the Kubernetes schemas (strict)`, problems);
    checkRendered(rendered, known, imageEnv, getPaths);
  }
  console.log(`deployment: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
