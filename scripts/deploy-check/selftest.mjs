// Proves the deployment checks bite: a copy of the deployment files with known mistakes put in must fail
// check.mjs with each mistake named. Run by scripts/check-deployment.sh after the real check.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");

// file, text to replace, replacement, what check.mjs must then report
const mistakes = [
  ["k8s/base/user.yaml", "readinessProbe:", "readinessprobe:", 'unknown field "readinessprobe"'],
  ["k8s/base/user.yaml", "- { name: NATS_URL, value:", "- { name: NATS_URI, value:", "NATS_URI is set but nothing reads it"],
  ["k8s/base/product.yaml", "  selector: { app.kubernetes.io/name: product }", "  selector: { app.kubernetes.io/name: products }",
    "Service product selects no pods"],
  ["k8s/base/order.yaml", "            - { name: PG_URI, value:", "            - { name: PG_URL, value:", "PG_URI is not set"],
  ["k8s/base/gateway.yaml", "startupProbe:\n            httpGet: { path: /health/live",
    "startupProbe:\n            httpGet: { path: /healthz", "path /healthz is not a GET route of openapi.yaml"],
  ["k8s/base/gateway.yaml", "livenessProbe:\n            httpGet: { path: /health/live, port: http }",
    "livenessProbe:\n            httpGet: { path: /health/live, port: admin }", "livenessProbe port admin is not a container port"],
  ["k8s/base/nats.yaml", "- { name: client, containerPort: 4222 }", '- { name: client, containerPort: "4222" }',
    "containerPort must be integer"],
  ["k8s/base/mongo.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "mongo/mongo: root filesystem is not read-only"],
  ["docker-compose.yml", '    command: ["--services", "product"]\n', '    command: ["--services", "product"]\n    ports: ["3002:3002"]\n',
    "product publishes"],
  ["docker-compose.yml", "condition: service_healthy }\n      postgres:", "condition: service_started }\n      postgres:",
    "order waits for nats to be service_started"],
];

const copy = mkdtempSync(path.join(tmpdir(), "deploy-selftest-"));
let failures = 0;
try {
  for (const entry of ["k8s", "docker-compose.yml", ".env.example", "openapi.yaml", "Dockerfile"]) {
    cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
  }
  for (const module of ["launcher", "order-verticle"]) {
    cpSync(path.join(root, module, "src", "main"), path.join(copy, module, "src", "main"), { recursive: true });
  }
  for (const [file, text, replacement] of mistakes) {
    const full = path.join(copy, file);
    const content = readFileSync(full, "utf8");
    if (!content.includes(text)) throw new Error(`selftest is out of date: "${text}" is not in ${file}`);
    writeFileSync(full, content.replace(text, replacement));
  }
  let output = "";
  let exitCode = 0;
  try {
    output = execFileSync("node", [path.join(here, "check.mjs"), copy], { encoding: "utf8" });
  } catch (e) {
    output = String(e.stdout);
    exitCode = e.status;
  }
  const results = [[exitCode === 1, "the check exits with 1"]];
  for (const [file, , , expected] of mistakes) results.push([output.includes(expected), `${file}: reports "${expected}"`]);
  for (const [ok, what] of results) {
    console.log(`${ok ? "ok  " : "FAIL"}  selftest: ${what}`);
    if (!ok) failures++;
  }
  if (failures > 0) console.log(output);
} finally {
  rmSync(copy, { recursive: true, force: true });
}
console.log(`deployment selftest: ${failures === 0 ? "the checks catch every mistake put in" : `${failures} not caught`}`);
process.exit(failures === 0 ? 0 : 1);
