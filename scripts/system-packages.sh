#!/usr/bin/env bash
# The Debian packages the test suite needs besides Python's: chromium (the browser tests
# drive /usr/bin/chromium), gettext (msgfmt, for compilemessages) and the PostgreSQL client
# (pg_dump, for the backup drill). Used by `make test` and .ci/run.
#
# Nothing missing: does nothing. Something missing: installs it when run as root, otherwise
# stops (exit 1) and names the command to run.
# PISHRAN_SYSTEM_PACKAGES_UID stands in for the user id (the tests use it to act as
# non-root, or as root with a stand-in apt-get).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${PISHRAN_SYSTEM_PACKAGES_UID:-$EUID}" -ne 0 ]; then
  echo "The tests need Debian packages that are not installed: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} (apt-get)" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
