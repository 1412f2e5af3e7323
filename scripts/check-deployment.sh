#!/usr/bin/env bash
# Validates the deployment files without a container engine or a cluster, in seconds (scripts/deploy-check/):
# docker-compose.yml with Debian's `docker-compose config -q`, every kustomization under k8s/ rendered by
# `kubectl kustomize` and validated against the Kubernetes schemas (the kubernetes-models npm package, offline),
# and the checks that tie them to the code (selectors, probe ports and paths, environment, hardening).
# Then a self-test proves the checks catch mistakes. Installs docker-compose and Node.js with apt-get when missing.
# What it cannot do: build the image or start a container or a pod (no engine here).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "check-deployment: please install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]} ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v kubectl >/dev/null 2>&1 || ! kubectl kustomize --help >/dev/null 2>&1; then
  # kubectl comes with this project's machines (/usr/bin/kubectl, from the Google Cloud SDK) but with no package
  # registry they reach: where it is missing, check what can be checked and say loudly what was not.
  echo "check-deployment: WARNING: no kubectl with its built-in kustomize (1.21 or newer) here:" \
       "k8s/ is NOT validated, only docker-compose.yml. Install kubectl for the full check." >&2
  docker-compose --env-file .env.example -f docker-compose.yml config -q
  docker-compose --env-file .env.example -f docker-compose.yml -f docker-compose.observability.yml config -q
  echo "deployment: docker-compose.yml and the observability override parse (k8s/ not checked: no kubectl)"
  exit 0
fi

checker=scripts/deploy-check
if [ ! -f "$checker/node_modules/.package-lock.json" ] || [ "$checker/package-lock.json" -nt "$checker/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$checker" --no-audit --no-fund --loglevel=error >/dev/null
fi
node "$checker/check.mjs"
node "$checker/selftest.mjs"
