# What the benchmark scripts share: writing their result into a doc.

# write_result DOC NAME HEADING RESULT — RESULT (which starts with the line
# "<!-- BEGIN NAME ..." and ends with "<!-- END NAME -->") replaces the text
# between those markers in DOC; without the markers it goes to DOC's end under
# "## HEADING" (DOC is created if missing).
write_result() {
  local doc=$1 name=$2 heading=$3 result=$4
  if grep -q "<!-- BEGIN $name " "$doc" 2>/dev/null; then
    python3 - "$doc" "$name" "$result" <<'PY'
import re, sys
path, name, new = sys.argv[1:4]
text = open(path).read()
pattern = r"<!-- BEGIN %s .*?<!-- END %s -->" % (re.escape(name), re.escape(name))
text = re.sub(pattern, lambda m: new, text, flags=re.S)
open(path, "w").write(text)
PY
  else
    printf '\n## %s\n\n%s\n' "$heading" "$result" >>"$doc"
  fi
  echo "written to $doc" >&2
}

# mirror_registries_conf REGISTRY — a containers registries.conf that sends
# docker.io to REGISTRY (plain HTTP), for buildah beside kiln's --registry-mirror.
mirror_registries_conf() {
  cat <<CONF
unqualified-search-registries = ["docker.io"]
[[registry]]
prefix = "docker.io"
location = "docker.io"
[[registry.mirror]]
location = "$1"
insecure = true
CONF
}

# wait_for_start_up_cache DIR [SECONDS] — waits (default 300 s) until the kiln launcher's start-up
# cache (recorded in the background on its first run with a jar and JDK) is in DIR, e.g.
# ~/.cache/kiln; prints its path. Status 1 when none came.
wait_for_start_up_cache() {
  local dir=$1 i f
  for ((i = 0; i < ${2:-300}; i++)); do
    for f in "$dir"/classes-*.aot "$dir"/classes-*.static.jsa; do
      [[ -f $f ]] && { echo "$f"; return 0; }
    done
    sleep 1
  done
  return 1
}
