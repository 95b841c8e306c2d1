#!/usr/bin/env bash
# kiln build and buildah bud, rootless, side by side on the same machine and registry:
#   (a) the tutorial (examples/hello-flask) cold: empty stores
#   (b) the tutorial again with nothing changed
#   (c) a RUN creating 20,000 small files and one 200 MB file on busybox
# Reports wall time and peak RSS (GNU time's %M: the largest single process), median of RUNS.
#
#   sudo scripts/bench/build.sh [REGISTRY] [RUNS]
#
# Run as root: both tools run as the unprivileged $KILN_BENCH_USER (default kiln-test, which needs
# /etc/subuid ranges). REGISTRY (default $KILN_IT_REGISTRY, else 127.0.0.1:5100) stands in for
# docker.io and must hold library/python:3.9-slim and library/busybox:latest.
# Writes the table to docs/benchmarks.md (between the BEGIN/END build markers) and to stdout.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
registry=${1:-${KILN_IT_REGISTRY:-127.0.0.1:5100}}
runs=${2:-3}
user=${KILN_BENCH_USER:-kiln-test}
jar=${KILN_JAR:-$here/builder/target/kiln.jar}
[[ $(id -u) == 0 ]] || { echo "run as root (the tools run as $user)" >&2; exit 1; }
[[ -f $jar ]] || { echo "no $jar; build it with: mvn -B -q package -DskipTests" >&2; exit 1; }
curl -fsS "http://$registry/v2/" >/dev/null || { echo "no registry answers at http://$registry/v2/" >&2; exit 1; }
source "$here/scripts/lib/bench.sh"
have_buildah=$(command -v buildah >/dev/null && echo yes || echo no)

work=$(mktemp -d /tmp/kiln-bench-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench_prepare "$jar" 20000 200

median_pair() { # reads "sec rss" lines; prints "median_sec median_rss_mb"
  sort -n | awk '{s[NR]=$1; r[NR]=$2} END {m=int((NR+1)/2); printf "%.1f s, %d MB", s[m], r[m]/1024}'
}

row() { # row TOOL CASE
  local tool=$1 case=$2 i h
  for ((i = 0; i < runs; i++)); do
    h=$(fresh_home "$tool-$case-$i")
    case $case in
      cold) "${tool}_build" "$h" "$work/tutorial" ;;
      rebuild) "${tool}_build" "$h" "$work/tutorial" >/dev/null; "${tool}_build" "$h" "$work/tutorial" ;;
      big) "${tool}_build" "$h" "$work/big" ;;
    esac
  done | median_pair
}

# The launcher records its class-data archive (once per jar and JDK, in the background) on its
# first run: let it do so before measuring, so the runs show the steady state users see.
as_user "$work" "$work/kiln" --version >/dev/null
wait_for_start_up_cache "$work/cache/kiln" >/dev/null || echo "warning: no start-up cache after 300 s" >&2

table="| case | kiln build | buildah bud |
|---|---|---|"
for c in cold rebuild big; do
  k=$(row kiln "$c")
  b=n/a
  [[ $have_buildah == yes ]] && b=$(row buildah "$c")
  table+="
| $c | $k | $b |"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
result="<!-- BEGIN build (written by scripts/bench/build.sh) -->
Measured $(date -u +%Y-%m-%d) on $(nproc) CPU(s) ($cpu), rootless as \`$user\`, registry \`$registry\`
standing in for docker.io, median of $runs runs of wall time and peak RSS (largest process).
cold = the tutorial with empty stores; rebuild = the tutorial again, nothing changed; big = one RUN
making 20,000 small files and a 200 MB file on busybox. kiln runs through its launcher (\`./kiln\`,
its JVM options and class-data archive) and includes its JVM start-ups (two when it re-executes
into its user namespace); buildah runs with \`--layers\` (its step cache, podman build's default)
and overlay storage.
Load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.

$table
<!-- END build -->"
echo "$result"

write_result "$here/docs/benchmarks.md" build "Building images (\`scripts/bench/build.sh\`)" "$result"
