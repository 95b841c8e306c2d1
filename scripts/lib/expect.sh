# What the shell tests under scripts/tests/ share: one check at a time, counted.

passed=0

# expect NAME ACTUAL EXPECTED — dies (log.sh) unless ACTUAL is EXPECTED; counts the check
expect() {
  if [[ $2 != "$3" ]]; then
    die "$1: expected '$3', got '$2'"
  fi
  passed=$((passed + 1))
}
