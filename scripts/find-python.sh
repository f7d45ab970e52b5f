#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (Django 6.1's floor), or fail with a clear message.
# Looks at $PYTHON, then python3.13 / python3.12 / python3 on PATH, then pyenv's versions.
set -u
candidates=("${PYTHON:-}" python3.13 python3.12 python3)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin; do
  [ -d "$dir" ] && candidates+=("$dir/python3")
done
for c in "${candidates[@]}"; do
  [ -n "$c" ] || continue
  path=$(command -v "$c" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    "$path" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
echo "Pishran needs Python 3.12 or newer (Django 6.1). Install python3.12 (or set PYTHON=/path/to/python3.12)." >&2
exit 1
