#!/usr/bin/env bash
# Runs kiln (or another command) in one of the environments of issue 10's matrix
# (docs/environments.md):
#
#   sudo scripts/in-environment.sh ENV WORK JAR kiln KILN-ARGS...
#   sudo scripts/in-environment.sh ENV WORK JAR COMMAND ARGS...
#
# ENV: user user-nomap root-bwrap pod-root pod-root-nouserns pod-user-nouserns
# pod-user-unconfined pod-recipe root ubuntu-24.04. WORK: an existing directory
# (mode 755) seen at the same path inside the environment, holding kiln's store
# ($WORK/store) and home; put the context there and name outputs under it.
# JAR: kiln's jar (pods get a copy in their image). COMMAND: run as is (in pods:
# it must be in the pod image, which has java, busybox and kiln).
# KILN_ENV_CACHE: where the pod root filesystem is kept (default: WORK's parent).
# Exit code: kiln's (or the environment's own, when it could not start kiln).
set -euo pipefail
shopt -s inherit_errexit
kiln_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KILN_LOG_TAG=in-environment
source "$kiln_repo/scripts/lib/log.sh"
source "$kiln_repo/scripts/lib/environments.sh"
(($# >= 4)) || die "usage: $0 ENV WORK JAR kiln|COMMAND ARGS... (ENV: ${KILN_ENVIRONMENTS[*]})"
[[ $EUID -eq 0 ]] || die "run as root: the environments are made with runuser, bwrap and rootful podman"
[[ -d $2 ]] || die "work directory $2 does not exist"
env=$1 work=$(realpath "$2") jar=$(realpath "$3")
shift 3
in_environment "$env" "$work" "$jar" "$@"
