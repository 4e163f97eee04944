#!/usr/bin/env bash
# Make sure the system tools homelang's tests judge with are present.
# Usage: scripts/system-packages.sh COMMAND=DEBIAN_PACKAGE... (or LIBRARY.so=PACKAGE,
# or /ABSOLUTE/FILE=PACKAGE for a header a build needs)
# Installs the missing ones with apt-get when run as root; otherwise prints the
# exact command to run and fails.
set -euo pipefail
missing=()
for pair in "$@"; do
  cmd=${pair%%=*}; pkg=${pair#*=}
  case "$cmd" in
    /*) [ -e "$cmd" ] || missing+=("$pkg") ;;
    *.so*) ldconfig -p 2>/dev/null | grep -q "$cmd" || missing+=("$pkg") ;;
    *) command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing system packages; run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
