# Installing the Debian packages the tests need, only when some are missing.

# Tools the integration tests use as judges or fixtures (see docs/testing.md).
readonly KILN_TEST_PACKAGES=(
  docker-registry skopeo umoci oci-image-tool busybox-static uidmap debootstrap
  apache2-utils openssl podman buildah runc curl jq iproute2 maven openjdk-17-jdk-headless git
  bubblewrap python3-seccomp gcc libc6-dev time
)

# ensure_packages PACKAGE... — apt-get install the missing ones (one apt-get
# update first), without questions and without starting their services.
ensure_packages() {
  local package policy=/usr/sbin/policy-rc.d
  local -a missing=()
  for package in "$@"; do
    [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) == "install ok installed" ]] ||
      missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    log "packages: all ${#} installed"
    return
  fi
  [[ $EUID -eq 0 ]] || die "missing packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})"
  log "packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # docker-registry would start its own service on port 5000; keep it down
  # while installing (policy-rc.d exit code 101 = action forbidden).
  # A policy-rc.d with our marker is ours, even one a killed run left behind.
  local marker="written by kiln's scripts/test.sh while apt-get runs" own_policy=false
  if [[ ! -e $policy ]] || grep -qF "$marker" "$policy"; then
    printf '#!/bin/sh\n# %s\nexit 101\n' "$marker" >"$policy"
    chmod 755 "$policy"
    own_policy=true
  fi
  local status=0 start=$SECONDS
  {
    # A fresh cloud machine may still be running unattended-upgrades: wait for its lock.
    apt-get update -q -o DPkg::Lock::Timeout=600 &&
      apt-get install -y -q -o DPkg::Lock::Timeout=600 \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  } </dev/null >"${KILN_TEST_LOG_DIR:-/tmp}/apt-get.log" 2>&1 || status=$?
  if [[ $own_policy == true ]]; then
    rm -f "$policy"
  fi
  if ((status != 0)); then
    tail -n 40 "${KILN_TEST_LOG_DIR:-/tmp}/apt-get.log" >&2
    die "apt-get failed (exit $status); full log: ${KILN_TEST_LOG_DIR:-/tmp}/apt-get.log"
  fi
  log "packages: installed ${#missing[@]} ($((SECONDS - start))s)"
}
