#!/usr/bin/env bash
# The integration tests' registries for development: "start" prepares the
# machine like scripts/test.sh, starts the registries with their fixtures,
# leaves them running and writes $KILN_TEST_STATE/env.sh with the KILN_IT_*
# variables (KILN_IT_JAR = this checkout's builder/target/kiln.jar, so that
# "mvn package" refreshes it). "stop" stops them.
#   KILN_TEST_STATE=/tmp/kiln-dev KILN_TEST_PORT_BASE=5120 bash scripts/test-services.sh start
#   source /tmp/kiln-dev/env.sh; mvn -B verify -pl builder -Dit.test=SomeIT
#   KILN_TEST_STATE=/tmp/kiln-dev KILN_TEST_PORT_BASE=5120 bash scripts/test-services.sh stop
# Another state directory and port base than scripts/test.sh's (/tmp/kiln-test,
# 5100) keep both apart; with the same ones, the next test.sh run replaces
# these registries.
set -euo pipefail
shopt -s inherit_errexit
umask 022
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KILN_LOG_TAG=services
source "$repo/scripts/lib/test-env.sh"

start() {
  local fixtures
  fixtures=$(prepare_machine)
  timed "registries up on 127.0.0.1:$PORT_ANON, :$PORT_BASIC, :$PORT_TOKEN" start_registries
  timed "fixtures pushed" push_fixtures "$fixtures"
  export_contract "$fixtures" "$repo/builder/target/kiln.jar"
  log "running; environment: source $state/env.sh; stop: KILN_TEST_STATE=$state $0 stop"
}

case ${1:-} in
  start)
    take_lock
    start
    ;;
  stop)
    take_lock
    stop_stale_registries
    log "stopped the registries of $state"
    ;;
  *)
    echo "usage: $0 start|stop   (settings: KILN_TEST_STATE, KILN_TEST_PORT_BASE)" >&2
    exit 2
    ;;
esac
