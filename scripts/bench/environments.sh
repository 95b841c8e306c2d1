#!/usr/bin/env bash
# The tutorial (examples/hello-flask) and a small busybox build (three RUN steps, no chown),
# built cold in every environment of issue 10's matrix (docs/environments.md), by kiln and,
# where buildah can run there at all, by buildah bud.
# Each run starts with empty stores. Reports wall time of the whole command, environment set-up
# included (a pod's start, a re-execution into a user namespace), or how the build ended.
#
#   sudo scripts/bench/environments.sh [REGISTRY] [RUNS]
#
# Run as root. REGISTRY (default $KILN_IT_REGISTRY, else 127.0.0.1:5100) stands in for docker.io
# and must hold library/python:3.9-slim. RUNS (default 1): the median is reported.
# KILN_BENCH_TUTORIAL_IN: the environments the tutorial is built in (default: all of them; it is
# the slow case).
# Writes the table to docs/environments.md (between the BEGIN/END bench markers) and to stdout.
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kiln_repo=$here
export KILN_LOG_TAG=bench-environments
source "$here/scripts/lib/log.sh"
source "$here/scripts/lib/environments.sh"
source "$here/scripts/lib/bench.sh"
registry=${1:-${KILN_IT_REGISTRY:-127.0.0.1:5100}}
runs=${2:-1}
jar=${KILN_JAR:-$here/builder/target/kiln.jar}
[[ $EUID -eq 0 ]] || die "run as root: the environments are made with runuser, bwrap and rootful podman"
[[ -f $jar ]] || die "no $jar; build it with: mvn -B -q package -DskipTests"
curl -fsS "http://$registry/v2/" >/dev/null || die "no registry answers at http://$registry/v2/"

bench=$(mktemp -d /tmp/kiln-bench-env.XXXXXX)
chmod 755 "$bench"
trap 'rm -rf "$bench"' EXIT
export KILN_ENV_CACHE=$bench # the pod root filesystem, made once
install -m 644 "$jar" "$bench/kiln.jar"
mirror_registries_conf "$registry" >"$bench/registries.conf"
chmod 644 "$bench/registries.conf"

mkdir -p "$bench/busybox"
cat >"$bench/busybox/Dockerfile" <<'EOF'
FROM busybox
RUN echo made > /made
RUN mkdir /many && cd /many && i=0 && while [ $i -lt 2000 ]; do echo $i > f$i; i=$((i+1)); done
RUN rm -r /many/f1*
EOF

# fresh_work NAME CASE — an empty work directory with CASE's context in it as app/
fresh_work() {
  local w=$bench/$1
  rm -rf "$w"
  mkdir -m 755 "$w"
  if [[ $2 == tutorial ]]; then
    cp -r "$here/examples/hello-flask" "$w/app"
  else
    cp -r "$bench/busybox" "$w/app"
  fi
  chmod -R a+rX "$w/app"
  echo "$w"
}

# failure_line LOG — the first error line of LOG (else its last line), short:
# no log prefix, digests cut to 12 hex digits, no table bars, at most 140 characters
failure_line() {
  { grep -m1 -E '^Error: |level=(error|fatal)' "$1" || grep -v '^\s*$' "$1" | tail -n 1; } |
    sed -E 's/^time="[^"]*" level=[a-z]+ msg="//; s/"$//; s/([0-9a-f]{12})[0-9a-f]{52}/\1/g' |
    tr '|' '/' | cut -c1-140
}

# measure TOOL ENV CASE — one cold build; prints "SECONDS" or "fails: FIRST ERROR LINE"
measure() {
  local tool=$1 env=$2 w start status=0 cmd
  w=$(fresh_work "$tool-$env-$3" "$3")
  if [[ $tool == kiln ]]; then
    cmd=(kiln build --registry-mirror "docker.io=$registry" -t bench "$w/app")
  else
    # containers/storage's run root path must stay short; rootless buildah also needs
    # XDG_RUNTIME_DIR. Overlay storage and the step cache, as in scripts/bench/build.sh.
    cmd=(env XDG_RUNTIME_DIR="$w/run" CONTAINERS_REGISTRIES_CONF="$bench/registries.conf"
      /usr/bin/buildah --root "$w/storage" --runroot "$w/run/storage" --storage-driver overlay
      bud --layers --runtime runc --network host -t bench "$w/app")
  fi
  start=$(date +%s.%N)
  in_environment "$env" "$w" "$bench/kiln.jar" "${cmd[@]}" >"$w.log" 2>&1 || status=$?
  if ((status == 0)); then
    awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {print b - a}'
  else
    printf 'fails: %s\n' "$(failure_line "$w.log")"
  fi
  # buildah's overlay storage may hold mounts and files of subordinate ids
  { findmnt -rn -o TARGET | grep "^$w/" || true; } | sort -r | xargs -r umount -l
  rm -rf "$w"
}

# cell TOOL ENV CASE — the median of RUNS successful runs, or the failure
cell() {
  local i out times=()
  for ((i = 0; i < runs; i++)); do
    out=$(measure "$1" "$2" "$3")
    if [[ $out == fails:* ]]; then
      echo "$out"
      return
    fi
    times+=("$out")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{t[NR]=$1} END {printf "%.1f s", t[int((NR+1)/2)]}'
}

table="| environment | tutorial: kiln build | tutorial: buildah bud | busybox: kiln build | busybox: buildah bud |
|---|---|---|---|---|"
for env in "${KILN_ENVIRONMENTS[@]}"; do
  row="| $env |"
  for case in tutorial busybox; do
    if [[ $case == tutorial && " ${KILN_BENCH_TUTORIAL_IN:-${KILN_ENVIRONMENTS[*]}} " != *" $env "* ]]; then
      row+=" not run | not run |"
      continue
    fi
    log "$env: $case: kiln"
    row+=" $(cell kiln "$env" "$case") |"
    if [[ $env == pod-* ]]; then
      row+=" not run: no buildah in the pod image |"
    else
      log "$env: $case: buildah"
      row+=" $(cell buildah "$env" "$case") |"
    fi
  done
  table+="
$row"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
result="<!-- BEGIN bench (written by scripts/bench/environments.sh) -->
Measured $(date -u +%Y-%m-%d) on $(nproc) CPU(s) ($cpu) with kiln at commit $(git -C "$here" rev-parse --short HEAD),
registry \`$registry\` standing in for docker.io; median of $runs cold run(s) (empty stores) of
the tutorial and of the busybox build (RUN: a file; 2,000 files; delete 1,111 of them), wall time of the whole command including the environment's set-up (a pod's
start, kiln's JVM start-ups). kiln runs as \`java -jar\` (no class-data archive); buildah with
\`--layers\`, overlay storage and runc. \"fails\" quotes the tool's first error line.
Load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.

$table
<!-- END bench -->"
echo "$result"

write_result "$here/docs/environments.md" bench "Benchmark (\`scripts/bench/environments.sh\`)" "$result"
