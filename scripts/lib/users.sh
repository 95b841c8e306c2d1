# The unprivileged users the integration tests run kiln as.

readonly KILN_SUBID_RANGE=100000:65536

# ensure_user NAME WITH_SUBIDS — create NAME (home directory, bash) if missing;
# WITH_SUBIDS=true gives it exactly the range 100000:65536 in /etc/subuid and
# /etc/subgid, false makes sure it has no range at all.
ensure_user() {
  local name=$1 with_subids=$2 file current wanted=""
  [[ $with_subids == true ]] && wanted=$name:$KILN_SUBID_RANGE
  if ! getent passwd "$name" >/dev/null; then
    [[ $EUID -eq 0 ]] || die "user $name is missing; create it as root"
    # -K ...=0: no automatic subordinate range; the loop below decides.
    useradd --create-home --shell /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$name"
    log "users: created $name"
  fi
  for file in /etc/subuid /etc/subgid; do
    current=$(grep "^$name:" "$file" 2>/dev/null || true)
    [[ $current == "$wanted" ]] && continue
    [[ $EUID -eq 0 ]] || die "$file needs a change for $name; run as root"
    touch "$file"
    sed -i "/^$name:/d" "$file"
    if [[ -n $wanted ]]; then
      echo "$wanted" >>"$file"
    fi
    log "users: ${wanted:-no range for $name} in $file"
  done
}
