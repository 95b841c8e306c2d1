#!/usr/bin/env bash
# Tests of the shell libraries the test infrastructure stands on: apt source
# parsing, deterministic layers, layout tags. Fast, no root, no network.
# Usage: bash scripts/tests/libs-test.sh   (exit code 1 on the first failure)
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export KILN_LOG_TAG=libs-test
source "$here/../lib/log.sh"
source "$here/../lib/debian-mirror.sh"
source "$here/../lib/oci-layout.sh"
source "$here/../lib/environments.sh"
source "$here/../lib/expect.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

one_line_mirror_skipsSecurityOptionsAndOtherSuites() {
  expect "options in brackets" "$(one_line_mirror bookworm <<<'deb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main')" \
    http://m.example/debian
  expect "security and comments skipped" "$(one_line_mirror bookworm <<'EOT'
# deb http://commented.example/debian bookworm main
deb http://security.debian.org/debian-security bookworm-security main
deb-src http://src.example/debian bookworm main
deb http://ftp.de.debian.org/debian bookworm main contrib
EOT
)" http://ftp.de.debian.org/debian
  expect "only another suite" "$(one_line_mirror bookworm <<<'deb http://m.example/debian bookworm-updates main')" ""
}

deb822_mirror_picksFirstEnabledStanzaWithSuite() {
  expect "deb822" "$(deb822_mirror bookworm <<'EOT'
Types: deb
URIs: http://updates-only.example/debian
Suites: bookworm-updates

# a comment
Types: deb-src
URIs: http://src.example/debian
Suites: bookworm

Types: deb
URIs: http://off.example/debian
Suites: bookworm
Enabled: no

Types: deb deb-src
URIs: http://b.example/debian http://c.example/debian
Suites: bookworm bookworm-updates
Components: main
EOT
)" http://b.example/debian
  expect "deb822 security only" "$(deb822_mirror bookworm <<'EOT'
Types: deb
URIs: http://security.debian.org/debian-security
Suites: bookworm-security
EOT
)" ""
  expect "override" "$(KILN_DEBIAN_MIRROR=http://o.example/d debian_mirror bookworm)" http://o.example/d
}

oci_layer_ignoresOnDiskTimesAndOwners() {
  local a=$work/a b=$work/b layout=$work/layout first second
  mkdir -p "$a/d" "$b/d"
  echo hi >"$a/d/f"
  echo hi >"$b/d/f"
  touch -d @1000 "$a/d/f" "$a/d"
  touch -d @2000000000 "$b/d/f" "$b/d"
  if [[ $EUID -eq 0 ]]; then
    chown -R 1234:5678 "$b/d"
  fi
  oci_init "$layout"
  first=$(oci_layer "$layout" "$a" 1704067200 root d)
  second=$(oci_layer "$layout" "$b" 1704067200 root d)
  expect "same layer from different times and owners" "$second" "$first"
  expect "entries" "$(tar -tzf "$layout/blobs/sha256/$(jq -r .descriptor.digest <<<"$first" | cut -d: -f2)" | tr '\n' ' ')" "d/ d/f "
  expect "diff_id is the tar's digest" \
    "$(gzip -dc "$layout/blobs/sha256/$(jq -r .descriptor.digest <<<"$first" | cut -d: -f2)" | sha256sum | cut -d' ' -f1)" \
    "$(jq -r .diff_id <<<"$first" | cut -d: -f2)"
}

oci_tag_replacesTheEntryOfTheSameName() {
  local layout=$work/tags one two
  oci_init "$layout"
  one=$(oci_put_json "$layout" "$OCI_CONFIG" '{"a": 1}')
  two=$(oci_put_json "$layout" "$OCI_CONFIG" '{"a": 2}')
  oci_tag "$layout" x "$one"
  oci_tag "$layout" y "$one"
  oci_tag "$layout" x "$two" '{"architecture":"amd64","os":"linux"}'
  expect "tags" "$(jq -c '[.manifests[] | [.annotations["org.opencontainers.image.ref.name"], .digest, .platform.os]]' "$layout/index.json")" \
    "$(jq -nc --argjson one "$one" --argjson two "$two" '[["y", $one.digest, null], ["x", $two.digest, "linux"]]')"
  expect "compact blob" "$(cat "$layout/blobs/sha256/$(jq -r .digest <<<"$one" | cut -d: -f2)")" '{"a":1}'
}

seccomp_profiles_allowWhatKilnNeeds_denyUsernsOnlyWithNewUserFlag() {
  local kiln=$here/../../examples/kubernetes/seccomp-kiln.json deny
  # kiln's profile: user namespaces and the calls kiln makes inside one, whatever the capabilities
  expect "kiln profile: no capability condition on what kiln calls" "$(jq -c '[.syscalls[]
    | select(((.includes.caps // []) + (.excludes.caps // [])) | length > 0)
    | .names[] | select(. == "chroot" or . == "sethostname" or . == "setns" or . == "mount")]' "$kiln")" '[]'
  expect "kiln profile: clone, unshare, mount, chroot allowed" "$(jq -c '[.syscalls[]
    | select(.action == "SCMP_ACT_ALLOW" and (.args // []) == [] and ((.includes.caps // []) | length) == 0)
    | .names[] | select(. == "clone" or . == "unshare" or . == "mount" or . == "chroot")] | sort' "$kiln")" \
    '["chroot","clone","mount","unshare"]'
  # the test's RuntimeDefault-like profile: CLONE_NEWUSER refused with EPERM, other clones allowed
  deny=$(seccomp_deny_userns "$kiln")
  expect "deny profile: clone only with rules on its flags" "$(jq -c '[.syscalls[] | select(.names | index("clone"))
    | [.action, .args[0].value, .args[0].valueTwo, (.errnoRet // null)]]' <<<"$deny")" \
    '[["SCMP_ACT_ALLOW",268435456,0,null],["SCMP_ACT_ERRNO",268435456,268435456,1]]'
}

one_line_mirror_skipsSecurityOptionsAndOtherSuites
seccomp_profiles_allowWhatKilnNeeds_denyUsernsOnlyWithNewUserFlag
deb822_mirror_picksFirstEnabledStanzaWithSuite
oci_layer_ignoresOnDiskTimesAndOwners
oci_tag_replacesTheEntryOfTheSameName
log "$passed checks passed"
