#!/usr/bin/env bash
# Checks the deployment files (seconds), then runs every test suite (each starts its own nats-server, MongoDB-wire
# server and PostgreSQL on random ports).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
scripts/check-deployment.sh
exec mvn -B -ntp verify "$@"
