#!/usr/bin/env bash
# Every benchmark case, kiln and its peer alternating run by run in one loop, as one table of
# ratios (docs/performance.md):
#   version  kiln --version                 buildah --version
#   images   kiln images (empty store)      buildah images (empty storage)
#   run      kiln run --rm busybox true     podman run --rm busybox true
#   cold     the tutorial, empty stores     buildah bud --layers (as scripts/bench/build.sh)
#   rebuild  the tutorial, nothing changed  buildah bud --layers
#   big      one RUN: many files + a big one of zeros  buildah bud --layers
#   bigrandom   the same with a big file of random bytes (no compression, no repeats)
# version and images run once more on every JDK 25+ under /usr/lib/jvm (the AOT cache).
# Medians of wall time; peak RSS of the largest process (GNU time); ratio = kiln / peer.
#
#   sudo scripts/bench/all.sh [--short] [REGISTRY]
#
# Run as root: the tools run rootless as $KILN_BENCH_USER (default kiln-test, with /etc/subuid
# ranges). REGISTRY (default $KILN_IT_REGISTRY, else 127.0.0.1:5100) stands in for docker.io and
# must hold library/busybox:latest and library/python:3.9-slim; without it the run and build rows
# are absent and say why. --short: few runs and a small big layer, for CI's log (scripts/test.sh):
# it asserts nothing and exits 0 whatever a row does. The full run writes the table to
# docs/performance.md (between the BEGIN/END all markers).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
short=false
if [[ ${1:-} == --short ]]; then
  short=true
  shift
fi
registry=${1:-${KILN_IT_REGISTRY:-127.0.0.1:5100}}
user=${KILN_BENCH_USER:-kiln-test}
jar=${KILN_JAR:-$here/builder/target/kiln.jar}
source "$here/scripts/lib/bench.sh"
[[ $(id -u) == 0 ]] || { echo "all.sh: run as root (the tools run as $user)" >&2; exit 1; }
[[ -f $jar ]] || { echo "all.sh: no $jar; build it with: mvn -B -q package -DskipTests" >&2; exit 1; }
id -u "$user" >/dev/null 2>&1 || { echo "all.sh: no user $user (scripts/test.sh makes kiln-test)" >&2; exit 1; }
if $short; then
  start_runs=5 run_runs=3 build_runs=1 big_files=2000 big_mb=20
else
  start_runs=11 run_runs=11 build_runs=3 big_files=20000 big_mb=200
fi

commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git -C "$here" status --porcelain --untracked-files=no 2>/dev/null) ]] || commit+=" + uncommitted changes"
work=$(mktemp -d /tmp/kiln-bench-all.XXXXXX)
cleanup() {
  # buildah's and podman's overlay storage may hold mounts and files of subordinate ids
  { findmnt -rn -o TARGET | grep "^$work/" || true; } | sort -r | xargs -r umount -l
  rm -rf "$work"
}
trap cleanup EXIT
bench_prepare "$jar" "$big_files" "$big_mb"
have_registry=$(curl -fsS "http://$registry/v2/" >/dev/null 2>&1 && echo yes || echo no)

# absent_peer PEER — why PEER cannot run here, or nothing
absent_peer() {
  command -v "$1" >/dev/null || { echo "no $1 installed"; return; }
}

# sample TOOL CASE HOME — one measured run ("seconds maxrss_kb") of TOOL (kiln, buildah,
# podman) for CASE, in HOME; unmeasured set-up first (a first build for rebuild)
sample() {
  local tool=$1 case=$2 home=$3
  case $tool-$case in
    kiln-version) measure "$home" "$work/kiln" --version ;;
    buildah-version) measure "$home" buildah --version ;;
    kiln-images) measure "$home" "$work/kiln" images --root "$home/kiln" ;;
    buildah-images) measure "$home" env STORAGE_DRIVER=overlay buildah images ;;
    kiln-run) measure "$home" "$work/kiln" run --rm --root "$work/run-home/kiln" busybox true ;;
    podman-run) measure "$home" env STORAGE_DRIVER=overlay podman --root "$work/run-home/storage" \
      --runroot "$work/run-home/run/storage" run --rm --network host --runtime runc docker.io/library/busybox true ;;
    *-cold) "${tool}_build" "$home" "$work/tutorial" ;;
    *-rebuild) # in the cold row's home when that build went through
      [[ -s $home/time ]] || "${tool}_build" "$home" "$work/tutorial" >/dev/null
      "${tool}_build" "$home" "$work/tutorial" ;;
    *-big) "${tool}_build" "$home" "$work/big" ;;
    *-bigrandom) "${tool}_build" "$home" "$work/big-random" ;;
  esac
}

# home_for TOOL CASE I — cold and big start from empty stores, rebuild where the cold build I
# left its store; run uses the home busybox was pulled into; the others one home per tool and case
home_for() {
  case $2 in
    cold | big | bigrandom) fresh_home "$1-$2-$3" ;;
    rebuild) [[ -d $work/home-$1-cold-$3 ]] && echo "$work/home-$1-cold-$3" || fresh_home "$1-$2-$3" ;;
    run) echo "$work/run-home" ;;
    *) echo "$work/home-$1-$2" ;;
  esac
}

median_of() { # median_of COLUMN < "sec rss" lines
  cut -d' ' -f"$1" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}

rows=()
# row LABEL CASE PEER RUNS [JAVA_HOME] — RUNS alternating pairs; appends a table row
row() {
  local label=$1 case=$2 peer=$3 runs=$4 jh=${5:-} i why="" k p ks ps
  why=$(absent_peer "$peer")
  if [[ -z $why && $case != version && $case != images && $have_registry == no ]]; then
    why="no registry answers at http://$registry/v2/"
  fi
  if [[ -n $why ]]; then
    rows+=("| $label | absent: $why | | | | |")
    echo "all.sh: $label: absent: $why" >&2
    return
  fi
  mkdir -p "$work/home-kiln-$case" "$work/home-$peer-$case/run"
  chmod 700 "$work/home-$peer-$case/run"
  chown -R "$user:" "$work/home-kiln-$case" "$work/home-$peer-$case"
  : >"$work/k" && : >"$work/p"
  for ((i = 0; i < runs; i++)); do
    k=$(JAVA_HOME=$jh sample_in_jdk kiln "$case" "$(home_for kiln "$case" "$i")") ||
      { why="kiln failed (output above)"; break; }
    p=$(sample "$peer" "$case" "$(home_for "$peer" "$case" "$i")") ||
      { why="$peer failed (output above)"; break; }
    echo "$k" >>"$work/k"
    echo "$p" >>"$work/p"
  done
  if [[ -n $why ]]; then
    rows+=("| $label | absent: $why | | | | |")
    echo "all.sh: $label: absent: $why" >&2
    return
  fi
  ks=$(median_of 1 <"$work/k")
  ps=$(median_of 1 <"$work/p")
  rows+=("$(awk -v l="$label" -v ks="$ks" -v ps="$ps" -v kr="$(median_of 2 <"$work/k")" \
    -v pr="$(median_of 2 <"$work/p")" 'BEGIN {
      printf "| %s | %.2f s | %.2f s | %.2f | %d MB | %d MB |", l, ks, ps, (ps > 0 ? ks / ps : 0), kr / 1024, pr / 1024 }')")
  echo "all.sh: ${rows[-1]}" >&2
}

# sample_in_jdk — sample with the launcher on $JAVA_HOME when set (as_user clears the environment)
sample_in_jdk() {
  if [[ -n ${JAVA_HOME:-} ]]; then
    local tool=$1 case=$2 home=$3
    case $case in
      version) measure "$home" env JAVA_HOME="$JAVA_HOME" "$work/kiln" --version ;;
      images) measure "$home" env JAVA_HOME="$JAVA_HOME" "$work/kiln" images --root "$home/kiln" ;;
    esac
  else
    sample "$@"
  fi
}

jdks=()
for release in /usr/lib/jvm/*/release; do
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  [[ -n $v ]] && ((v >= 25)) && jdks+=("$(dirname "$release")")
done

# The launcher records its start-up cache (once per jar and JDK, in the background) on its first
# run, and its answer to --version (written by the JVM once the cache directory is there): let it
# do both before measuring, so the runs show the steady state users see.
for jh in "" "${jdks[@]}"; do
  before=$(start_up_archives "$work/cache/kiln")
  as_user "$work" env ${jh:+JAVA_HOME=$jh} "$work/kiln" --version >/dev/null
  wait_for_start_up_cache "$work/cache/kiln" 300 "$before" >/dev/null ||
    echo "all.sh: no start-up cache for ${jh:-the java on PATH} after 300 s" >&2
  while compgen -G "$work/cache/kiln/*.tmp*" >/dev/null; do sleep 1; done
  as_user "$work" env ${jh:+JAVA_HOME=$jh} "$work/kiln" --version >/dev/null
done

java_version=$("$(readlink -f "$(command -v java)")" -version 2>&1 | head -n 1 | sed 's/.*version "\([^"]*\)".*/\1/')
row "kiln --version (JDK $java_version)" version buildah "$start_runs"
row "kiln images, empty (JDK $java_version)" images buildah "$start_runs"
for jh in "${jdks[@]}"; do
  v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)"/\1/p' "$jh/release")
  row "kiln --version (JDK $v)" version buildah "$start_runs" "$jh"
  row "kiln images, empty (JDK $v)" images buildah "$start_runs" "$jh"
done
if [[ $have_registry == yes ]]; then
  # the same busybox in both stores, pulled once, unmeasured
  mkdir -p "$work/run-home/run"
  chmod 700 "$work/run-home/run"
  chown -R "$user:" "$work/run-home"
  as_user "$work/run-home" "$work/kiln" pull --root "$work/run-home/kiln" \
    --registry-mirror "docker.io=$registry" busybox >/dev/null 2>&1 || echo "all.sh: kiln pull busybox failed" >&2
  if command -v podman >/dev/null; then
    as_user "$work/run-home" env STORAGE_DRIVER=overlay podman --root "$work/run-home/storage" \
      --runroot "$work/run-home/run/storage" pull docker.io/library/busybox >/dev/null 2>&1 ||
      echo "all.sh: podman pull busybox failed" >&2
  fi
fi
row "kiln run --rm busybox true" run podman "$run_runs"
row "build: tutorial, cold" cold buildah "$build_runs"
row "build: tutorial, nothing changed" rebuild buildah "$build_runs"
row "build: RUN making $big_files files + $big_mb MB of zeros" big buildah "$build_runs"
row "build: RUN making $big_files files + $big_mb MB of random bytes" bigrandom buildah "$build_runs"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
result="<!-- BEGIN all (written by scripts/bench/all.sh) -->
Measured $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`$commit\` on $(nproc) CPU(s) ($cpu), kernel
$(uname -r), rootless as \`$user\`, registry \`$registry\` standing in for docker.io. kiln and
its peer alternate run by run; medians of $start_runs (start-up), $run_runs (run) and $build_runs
(builds) runs of wall time; RSS = peak of the largest process. Load average at the end:
$(cut -d' ' -f1-3 /proc/loadavg).

| case | kiln | peer | kiln / peer | kiln peak RSS | peer peak RSS |
|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Peers: buildah $(buildah --version 2>/dev/null | awk '{print $3}' || echo -) for start-up and builds
(\`buildah --version\`, \`buildah images\`, \`buildah bud --layers --runtime runc\`, overlay), podman
$(podman --version 2>/dev/null | awk '{print $3}' || echo -) for \`run --rm --network host --runtime runc\`.
<!-- END all -->"
echo "$result"
if ! $short; then
  write_result "$here/docs/performance.md" all "Measured (\`scripts/bench/all.sh\`)" "$result"
fi
