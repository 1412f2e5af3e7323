#!/usr/bin/env bash
# Builds once, then runs the whole system (or the parts given with --services) in one JVM.
# Without NATS_URL / MONGO_URI / PG_URI it starts embedded ones, with their data under ./data.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
jar=launcher/target/reactive-shop.jar
if [ ! -f "$jar" ] || [ -n "$(find . -path ./data -prune -o \( -name '*.java' -o -name 'pom.xml' -o -name '*.sql' \) -newer "$jar" -print -quit)" ]; then
  echo "Building (the first build downloads dependencies and takes a few minutes)..."
  if ! mvn -B -ntp install -DskipTests | grep --line-buffered -E '^\[INFO\] Building |BUILD|ERROR'; then
    echo "The build failed; run mvn -B install -DskipTests to see why" >&2
    exit 1
  fi
  echo "Starting..."
fi
exec java -jar "$jar" "$@"
