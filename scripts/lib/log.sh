# Progress output for kiln's shell scripts: short lines with elapsed seconds,
# counted from when the outermost script started (KILN_LOG_START, exported).
# Source it; set KILN_LOG_TAG to name the script in the lines.

export KILN_LOG_START=${KILN_LOG_START:-$(date +%s)}

# log MESSAGE... — one progress line on stderr: "[tag +12s] message".
log() {
  printf '[%s +%ds] %s\n' "${KILN_LOG_TAG:-kiln}" $(($(date +%s) - KILN_LOG_START)) "$*" >&2
}

# die MESSAGE... — print the reason and stop the script with exit code 1.
die() {
  printf '[%s] error: %s\n' "${KILN_LOG_TAG:-kiln}" "$*" >&2
  exit 1
}

# timed LABEL COMMAND... — run COMMAND, then log LABEL with how long it took.
timed() {
  local label=$1 start=$SECONDS
  shift
  "$@"
  log "$label ($((SECONDS - start))s)"
}
