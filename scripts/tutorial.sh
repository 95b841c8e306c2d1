#!/usr/bin/env bash
# kiln's main job: Docker's "build your first image" tutorial, end to end, with no daemon.
# As root on Debian 12 it installs what it needs, builds kiln, publishes the Python base image
# (built from Debian packages, see testdata/README.md) as library/python:3.9-slim on a local
# registry on 127.0.0.1:5100 standing in for Docker Hub, and then, as the unprivileged user
# kiln-test, runs the tutorial's own steps on examples/hello-flask:
#   kiln build -t my-python-app .   kiln images   kiln run -p 5000:5000 my-python-app   Ctrl+C
# Exit code 0 when the app answered "Hello, Docker!" and stopped on Ctrl+C.
set -euo pipefail
umask 022
export KILN_LOG_TAG=tutorial
# The test environment's library: its lock (scripts/test.sh wants port 5100 too), packages,
# users, fixtures, registries and skopeo copy.
source "$(dirname "${BASH_SOURCE[0]}")/lib/test-env.sh"
repo=$kiln_repo
out=$state/tutorial # this script's logs and the jar the user runs
readonly APP_PORT=5000 USER_NAME=kiln-test
app_pgid=""

# as_user COMMAND... — run as the unprivileged user, in its home, with its own store.
as_user() {
  runuser -u "$USER_NAME" -- env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin \
    KILN_JAR="$out/kiln.jar" XDG_RUNTIME_DIR="$home/.run" "$@"
}

cleanup() {
  if [[ -n $app_pgid ]]; then
    kill -KILL -- "-$app_pgid" 2>/dev/null || true
  fi
  stop_started_services
}

main() {
  take_lock
  local fixtures
  fixtures=$(prepare_machine)
  home=$(getent passwd "$USER_NAME" | cut -d: -f6)
  rm -rf "$out"
  mkdir -p "$out"
  chmod 755 "$out"

  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  stop_stale_registries "$PORT_ANON"
  rm -rf "$KILN_TEST_RUN"
  mkdir -p "$KILN_TEST_RUN"
  registry_config hub "$PORT_ANON" ""
  start_registry hub
  wait_registry hub "$PORT_ANON"
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$KILN_TEST_RUN/policy.json"
  copy "oci:$fixtures/python.oci:3.9-slim" "docker://127.0.0.1:$PORT_ANON/library/python:3.9-slim"
  log "library/python:3.9-slim published on 127.0.0.1:$PORT_ANON (standing in for docker.io)"

  if [[ ! -f $repo/builder/target/kiln.jar || -n ${KILN_REBUILD:-yes} ]]; then
    (cd "$repo" && mvn -B -q package -DskipTests </dev/null >"$out/mvn.log" 2>&1) ||
      { tail -n 30 "$out/mvn.log" >&2; die "mvn package failed: $out/mvn.log"; }
  fi
  install -m 644 "$repo/builder/target/kiln.jar" "$out/kiln.jar"
  install -m 755 "$repo/kiln" "$out/kiln"
  # The user's copy of the example: the tutorial's project directory.
  rm -rf "$home/my-python-app"
  cp -r "$repo/examples/hello-flask" "$home/my-python-app"
  chown -R "$USER_NAME:" "$home/my-python-app"
  mkdir -p "$home/.run" && chown "$USER_NAME:" "$home/.run" && chmod 700 "$home/.run"
  # A fresh store each time, as on a new machine: the build is cold. Removed as root: layers the
  # user's builds made hold files of its subordinate ids, which the user itself cannot delete
  # (kiln system prune or kiln unshare would; root is simpler here).
  rm -rf "$home/.local/share/kiln"

  local kiln="$out/kiln"
  log "\$ kiln build --registry-mirror docker.io=127.0.0.1:$PORT_ANON -t my-python-app ."
  as_user bash -c "cd ~/my-python-app && $kiln build --registry-mirror docker.io=127.0.0.1:$PORT_ANON -t my-python-app ."
  log "\$ kiln images"
  as_user "$kiln" images | tee "$out/images.txt"
  grep -q '^my-python-app ' "$out/images.txt" || die "kiln images does not list my-python-app"

  log "\$ kiln run -p $APP_PORT:$APP_PORT my-python-app"
  # A script's background job starts with SIGINT ignored; a terminal's foreground job does not.
  # env --default-signal puts Ctrl+C back, so that the SIGINT below acts as the keypress would.
  setsid env --default-signal=INT,QUIT runuser -u "$USER_NAME" -- env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin \
    KILN_JAR="$out/kiln.jar" XDG_RUNTIME_DIR="$home/.run" \
    "$kiln" run -p "$APP_PORT:$APP_PORT" my-python-app >"$out/run.log" 2>&1 </dev/null 9>&- &
  local pid=$! answer="" i
  app_pgid=$pid
  for ((i = 0; i < 600; i++)); do
    answer=$(curl -s --max-time 2 "http://127.0.0.1:$APP_PORT/" || true)
    [[ -n $answer ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$out/run.log" >&2
  [[ $answer == "Hello, Docker!" ]] || die "expected 'Hello, Docker!' from http://127.0.0.1:$APP_PORT/, got '${answer}'"
  log "\$ curl http://127.0.0.1:$APP_PORT/  →  $answer"

  log "Ctrl+C (SIGINT to the foreground process group)"
  kill -INT -- "-$pid"
  local status=0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    die "kiln run did not stop within 10 s of Ctrl+C"
  fi
  wait "$pid" || status=$?
  app_pgid=""
  if curl -s --max-time 2 "http://127.0.0.1:$APP_PORT/" >/dev/null; then
    die "the app still answers after Ctrl+C"
  fi
  log "kiln run ended with exit code $status after Ctrl+C; port $APP_PORT is free again"
  log "tutorial done"
}

main "$@"
