#!/usr/bin/env bash
# Compare kiln pull / kiln copy with skopeo copy, pulling the same images from the same local
# registry. Each measurement starts from an empty store/directory; the median of RUNS is reported.
#
#   scripts/bench/pull.sh [REGISTRY] [RUNS]
#
# REGISTRY defaults to $KILN_IT_REGISTRY, else 127.0.0.1:5100 (scripts/test.sh's anonymous registry,
# which must be running and hold library/busybox:latest and library/python:3.9-slim).
# Writes the table to docs/benchmarks.md (between the BEGIN/END pull markers) and to stdout.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$here/scripts/lib/bench.sh"
registry=${1:-${KILN_IT_REGISTRY:-127.0.0.1:5100}}
runs=${2:-5}
images=(library/busybox:latest library/python:3.9-slim)
jar=${KILN_JAR:-$here/builder/target/kiln.jar}
[[ -f $jar ]] || { echo "no $jar; build it with: mvn -B -q package -DskipTests" >&2; exit 1; }
command -v skopeo >/dev/null || { echo "skopeo is not installed" >&2; exit 1; }
curl -fsS "http://$registry/v2/" >/dev/null || { echo "no registry answers at http://$registry/v2/" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/policy.json"

# time_ms CMD... — wall-clock milliseconds of one run; output discarded, failure fatal.
time_ms() {
  local start end
  start=$(date +%s%N)
  "$@" >"$work/out.log" 2>&1 || { cat "$work/out.log" >&2; echo "failed: $*" >&2; exit 1; }
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

median() {
  sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'
}

kiln() { # the launcher users run, with its JVM flags
  KILN_JAR=$jar "$here/kiln" "$@"
}

measure() { # measure TOOL IMAGE — prints the median in ms
  local tool=$1 image=$2 i t dest
  for ((i = 0; i < runs; i++)); do
    dest=$work/run-$i
    rm -rf "$dest"
    case $tool in
      kiln-version) t=$(time_ms kiln --version) ;;
      kiln-pull) t=$(time_ms kiln pull -q --root "$dest" "$registry/$image") ;;
      kiln-copy) t=$(time_ms kiln copy --root "$work/store" "docker://$registry/$image" "oci:$dest:bench") ;;
      skopeo-copy) t=$(time_ms skopeo --policy "$work/policy.json" copy -q --src-tls-verify=false \
        "docker://$registry/$image" "oci:$dest:bench") ;;
    esac
    echo "$t"
  done | median
}

startup=$(measure kiln-version -)
table="| image | kiln pull | kiln copy → oci: | skopeo copy → oci: |
|---|---|---|---|"
for image in "${images[@]}"; do
  kp=$(measure kiln-pull "$image")
  kc=$(measure kiln-copy "$image")
  sc=$(measure skopeo-copy "$image")
  table+="
| $image | ${kp} ms | ${kc} ms | ${sc} ms |"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
result="<!-- BEGIN pull (written by scripts/bench/pull.sh) -->
Measured $(date -u +%Y-%m-%d) on $(nproc) CPU(s) ($cpu), load average $(cut -d' ' -f1 /proc/loadavg) at the
end, registry \`$registry\` (docker-registry on loopback), median of $runs runs, each into an empty
store or directory. Wall-clock times of whole commands: kiln's include the JVM's start-up, which
\`kiln --version\` alone takes ${startup} ms here.

$table
<!-- END pull -->"
echo "$result"

doc=$here/docs/benchmarks.md
[[ -f $doc ]] || printf '# Benchmarks\n' >"$doc"
write_result "$doc" pull "Pulling images (\`scripts/bench/pull.sh\`)" "$result"
