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
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
install -m 644 "$jar" "$work/kiln.jar"
install -m 755 "$here/kiln" "$work/kiln" # the launcher users run, with its JVM options
cp -r "$here/examples/hello-flask" "$work/tutorial"
mkdir -p "$work/big"
cat >"$work/big/Dockerfile" <<'EOF'
FROM busybox
RUN mkdir /many && cd /many && i=0 && while [ $i -lt 20000 ]; do echo $i > f$i; i=$((i+1)); done \
 && dd if=/dev/zero of=/big bs=1M count=200 2>/dev/null
EOF
mirror_registries_conf "$registry" >"$work/registries.conf"
mkdir -p "$work/cache"
chown -R "$user:" "$work"

# as_user HOME CMD... — run as the bench user with its own HOME (stores live there)
as_user() {
  local home=$1
  shift
  runuser -u "$user" -- env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin \
    XDG_RUNTIME_DIR="$home/run" CONTAINERS_REGISTRIES_CONF="$work/registries.conf" \
    XDG_CACHE_HOME="$work/cache" KILN_JAR="$work/kiln.jar" "$@"
}

# measure HOME CMD... — prints "seconds maxrss_kb" of one run; failure is fatal
measure() {
  local home=$1
  shift
  as_user "$home" /usr/bin/time -f "%e %M" -o "$home/time" "$@" >"$home/out.log" 2>&1 ||
    { tail -n 20 "$home/out.log" >&2; echo "failed: $*" >&2; exit 1; }
  cat "$home/time"
}

fresh_home() { # fresh_home NAME — an empty home for one run
  local h=$work/home-$1
  rm -rf "$h"
  mkdir -p "$h/run"
  chmod 700 "$h/run"
  chown -R "$user:" "$h"
  echo "$h"
}

kiln_build() { # kiln_build HOME CONTEXT
  measure "$1" "$work/kiln" build --root "$1/kiln" --registry-mirror "docker.io=$registry" -t bench "$2"
}

buildah_build() { # buildah_build HOME CONTEXT
  # --layers: cache each step as podman build does (buildah bud's default is no cache);
  # overlay storage (native rootless overlay), not the vfs default here, which copies every layer
  measure "$1" env STORAGE_DRIVER=overlay buildah bud --layers --runtime runc --network host -t bench "$2"
}

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
