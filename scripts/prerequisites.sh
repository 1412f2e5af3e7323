#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks for building, testing and running: a JDK 17+, Maven, nats-server.
# Sourced by run.sh and test.sh; installs only what is missing, and only with apt-get (as root or through sudo).
set -euo pipefail

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install: ${missing[*]} (nats-server must be on PATH)" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]} ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
java_major=$(java -version 2>&1 | sed -nE '1s/.*version "([0-9]+)(\.[0-9]+)*.*/\1/p')
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
  echo "Java 17 or newer is needed (found: $(java -version 2>&1 | head -1)); set JAVA_HOME or put a JDK 17+ first on PATH" >&2
  exit 1
fi
# Debian installs nats-server in /usr/sbin, which is not on every user's PATH.
case ":$PATH:" in *":/usr/sbin:"*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
