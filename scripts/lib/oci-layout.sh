# Writing OCI image layouts from shell (needs jq, sha256sum, gzip, GNU tar).
# Every JSON document is written compact, without a trailing newline, so that
# its digest is stable; every layer tar is deterministic (see oci_layer).

readonly OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
readonly OCI_INDEX=application/vnd.oci.image.index.v1+json
readonly OCI_CONFIG=application/vnd.oci.image.config.v1+json
readonly OCI_LAYER_GZIP=application/vnd.oci.image.layer.v1.tar+gzip

# oci_init LAYOUT — create an empty image layout directory.
oci_init() {
  mkdir -p "$1/blobs/sha256"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$1/oci-layout"
  printf '{"schemaVersion":2,"manifests":[]}' >"$1/index.json"
}

# oci_put_file LAYOUT FILE MEDIA_TYPE — move FILE into the blob store and
# print its descriptor as JSON.
oci_put_file() {
  local layout=$1 file=$2 media_type=$3 hex size
  hex=$(sha256sum "$file" | cut -d' ' -f1)
  size=$(stat -c %s "$file")
  mv "$file" "$layout/blobs/sha256/$hex"
  chmod 644 "$layout/blobs/sha256/$hex"
  jq -cn --arg m "$media_type" --arg d "sha256:$hex" --argjson s "$size" \
    '{mediaType: $m, digest: $d, size: $s}'
}

# oci_put_json LAYOUT MEDIA_TYPE JSON — store JSON (compacted) as a blob and
# print its descriptor.
oci_put_json() {
  local layout=$1 media_type=$2 json=$3 tmp
  tmp=$(mktemp "$layout/blob.XXXXXX")
  jq -cj . <<<"$json" >"$tmp"
  oci_put_file "$layout" "$tmp" "$media_type"
}

# oci_layer LAYOUT ROOT MTIME OWNERSHIP PATH... — tar PATHs (relative to ROOT)
# into a gzip layer and print {"descriptor": ..., "diff_id": ...}.
# Names are sorted, atime/ctime dropped, gzip stores no name or timestamp.
# MTIME (seconds since epoch) is stamped on every entry; "keep" keeps the
# on-disk times. OWNERSHIP "root" makes every entry 0:0; "keep" keeps the
# numeric owners found on disk.
oci_layer() {
  local layout=$1 root=$2 mtime=$3 ownership=$4 tar_file diff_id
  shift 4
  local -a args=(--numeric-owner)
  [[ $ownership == root ]] && args+=(--owner=0 --group=0)
  [[ $mtime == keep ]] || args+=(--mtime="@$mtime")
  tar_file=$(mktemp "$layout/layer.XXXXXX")
  tar --create --file=- --directory="$root" --format=posix \
    --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
    --sort=name --one-file-system "${args[@]}" -- "$@" >"$tar_file"
  diff_id=sha256:$(sha256sum "$tar_file" | cut -d' ' -f1)
  gzip -n -9 "$tar_file"
  jq -cn --argjson d "$(oci_put_file "$layout" "$tar_file.gz" "$OCI_LAYER_GZIP")" \
    --arg id "$diff_id" '{descriptor: $d, diff_id: $id}'
}

# oci_tag LAYOUT NAME DESCRIPTOR [PLATFORM_JSON] — point tag NAME of the layout's
# index.json at DESCRIPTOR, replacing an earlier entry with that name.
oci_tag() {
  local layout=$1 name=$2 descriptor=$3 platform=${4:-null} tmp
  tmp=$(mktemp "$layout/index.XXXXXX")
  jq -cj --arg n "$name" --argjson d "$descriptor" --argjson p "$platform" '
    .manifests |= (map(select(.annotations["org.opencontainers.image.ref.name"] != $n))
      + [$d + (if $p == null then {} else {platform: $p} end)
            + {annotations: {"org.opencontainers.image.ref.name": $n}}])
  ' "$layout/index.json" >"$tmp"
  mv "$tmp" "$layout/index.json"
  chmod 644 "$layout/index.json"
}
