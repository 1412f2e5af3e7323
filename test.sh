#!/usr/bin/env bash
# Runs every test suite (each starts its own nats-server, MongoDB-wire server and PostgreSQL on random ports).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
exec mvn -B -ntp verify "$@"
