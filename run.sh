#!/usr/bin/env bash
# Builds once, then runs the whole system (or the parts given with --services) in one JVM.
# Without NATS_URL / MONGO_URI / PG_URI it starts embedded ones, with their data under ./data.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
jar=launcher/target/reactive-shop.jar
if [ ! -f "$jar" ] || [ -n "$(find . -path ./data -prune -o \( -name '*.java' -o -name 'pom.xml' -o -name '*.sql' \) -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q install -DskipTests
fi
exec java -jar "$jar" "$@"
