# Finding the Debian mirror this machine's apt uses, in both source formats:
# one-line ("deb URI SUITE COMPONENTS" in *.list) and deb822 (*.sources).

# debian_mirror SUITE — print the first non-security mirror URI that serves
# SUITE; KILN_DEBIAN_MIRROR overrides; http://deb.debian.org/debian if none.
debian_mirror() {
  local suite=$1 file uri
  if [[ -n ${KILN_DEBIAN_MIRROR:-} ]]; then
    echo "$KILN_DEBIAN_MIRROR"
    return
  fi
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -r $file ]] || continue
    if [[ $file == *.sources ]]; then
      uri=$(deb822_mirror "$suite" <"$file")
    else
      uri=$(one_line_mirror "$suite" <"$file")
    fi
    if [[ -n $uri ]]; then
      echo "$uri"
      return
    fi
  done
  echo http://deb.debian.org/debian
}

# one_line_mirror SUITE < FILE — "deb [options] URI SUITE COMPONENT..." lines.
one_line_mirror() {
  awk -v suite="$1" '
    $1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
      if ($(i + 1) == suite && $i !~ /security/) { print $i; exit }
    }'
}

# deb822_mirror SUITE < FILE — stanzas of "Key: value" lines separated by
# blank lines; needs Types with deb, Suites with SUITE, Enabled not "no".
deb822_mirror() {
  awk -v suite="$1" '
    function flush() {
      if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") \
          && enabled != "no" && uris !~ /security/ && uris != "") {
        split(uris, u, " "); print u[1]; found = 1; exit
      }
      types = suites = uris = enabled = ""
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    {
      key = tolower($1); sub(/:$/, "", key)
      value = $0; sub(/^[^:]*:[ \t]*/, "", value)
      if (key == "types") types = value
      else if (key == "suites") suites = value
      else if (key == "uris") uris = value
      else if (key == "enabled") enabled = tolower(value)
    }
    END { if (!found) flush() }'
}
