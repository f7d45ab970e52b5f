#!/usr/bin/env bash
# Vendor the front-end libraries Pishran serves from static/vendor/.
#
# Running the product needs no Node.js: the files this script writes are
# committed. Node/npm are only needed to *regenerate* them (npm pack fetches
# the published tarballs; nothing is installed, no package scripts run).
#
# Usage: scripts/vendor-frontend.sh        (from anywhere; writes static/vendor/, and
#        tests/browser/vendor/ for the files only the browser tests load: axe-core)
#
# To upgrade a library: change its version below, re-run, review `git diff
# --stat static/vendor`, update static/vendor/README.md, commit.
set -euo pipefail

BOOTSTRAP_VERSION=5.3.8
BOOTSTRAP_ICONS_VERSION=1.13.2
VAZIRMATN_VERSION=33.0.3
HTMX_VERSION=2.0.11          # newest 2.x on npm; htmx 4.x is a different API: do not use
JDP_VERSION=0.9.12           # @majidh1/jalalidatepicker
ECHARTS_VERSION=6.1.0        # Apache ECharts: dashboard charts and the province map
AXE_VERSION=4.14.1           # axe-core: the accessibility rules the browser tests run (never served)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor"
TEST_DEST="$ROOT/tests/browser/vendor"

command -v npm >/dev/null || { echo "npm is required to regenerate vendored files" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch SPEC DIRNAME: npm pack SPEC into $WORK and unpack it into $WORK/DIRNAME
fetch() {
    local spec="$1" name="$2" tgz
    tgz="$(cd "$WORK" && npm pack --silent --ignore-scripts "$spec" 2>/dev/null | tail -n 1)"
    [[ -f "$WORK/$tgz" ]] || { echo "npm pack $spec failed" >&2; exit 1; }
    mkdir -p "$WORK/$name"
    tar -xzf "$WORK/$tgz" -C "$WORK/$name"
    echo "packed $spec ($tgz)"
}

# put SRC DEST_REL: copy one file (failing loudly if the package lacks it)
put() {
    local src="$1" rel="$2"
    [[ -f "$src" ]] || { echo "missing in tarball: $src" >&2; exit 1; }
    mkdir -p "$(dirname "$DEST/$rel")"
    cp "$src" "$DEST/$rel"
}

# Drop "sourceMappingURL" comments: we ship no .map files, and Django's
# ManifestStaticFilesStorage (collectstatic) fails on references to missing maps.
strip_maps() {
    sed -i -E '/^\/[*\/]# sourceMappingURL=.*$/d' "$1"
    if grep -q 'sourceMappingURL' "$1"; then
        echo "could not strip sourceMappingURL from $1" >&2; exit 1
    fi
}

fetch "bootstrap@$BOOTSTRAP_VERSION" bootstrap
fetch "bootstrap-icons@$BOOTSTRAP_ICONS_VERSION" bootstrap-icons
fetch "vazirmatn@$VAZIRMATN_VERSION" vazirmatn
fetch "htmx.org@$HTMX_VERSION" htmx
fetch "@majidh1/jalalidatepicker@$JDP_VERSION" jalalidatepicker
fetch "echarts@$ECHARTS_VERSION" echarts
fetch "axe-core@$AXE_VERSION" axe-core

# Start from a clean tree so removed upstream files do not linger (README.md
# is ours and is kept).
for d in bootstrap bootstrap-icons vazirmatn htmx jalalidatepicker echarts; do
    rm -rf "${DEST:?}/$d"
done
mkdir -p "$DEST"

# --- Bootstrap (MIT) ---------------------------------------------------------
P="$WORK/bootstrap/package"
put "$P/dist/css/bootstrap.rtl.min.css" bootstrap/bootstrap.rtl.min.css
put "$P/dist/css/bootstrap.min.css"     bootstrap/bootstrap.min.css      # LTR pages (English UI)
put "$P/dist/js/bootstrap.bundle.min.js" bootstrap/bootstrap.bundle.min.js
put "$P/LICENSE" bootstrap/LICENSE
strip_maps "$DEST/bootstrap/bootstrap.rtl.min.css"
strip_maps "$DEST/bootstrap/bootstrap.min.css"
strip_maps "$DEST/bootstrap/bootstrap.bundle.min.js"

# --- Bootstrap Icons (MIT) ---------------------------------------------------
P="$WORK/bootstrap-icons/package"
put "$P/font/bootstrap-icons.min.css"        bootstrap-icons/bootstrap-icons.min.css
put "$P/font/fonts/bootstrap-icons.woff2"    bootstrap-icons/fonts/bootstrap-icons.woff2
put "$P/LICENSE" bootstrap-icons/LICENSE
# Reference only the woff2 face (every supported browser has woff2), so the
# 180 KB .woff need not be shipped.
sed -i -E 's#,url\("fonts/bootstrap-icons\.woff\?[0-9a-f]+"\) format\("woff"\)##' \
    "$DEST/bootstrap-icons/bootstrap-icons.min.css"
if grep -q 'bootstrap-icons\.woff?' "$DEST/bootstrap-icons/bootstrap-icons.min.css" \
   || ! grep -q 'fonts/bootstrap-icons\.woff2' "$DEST/bootstrap-icons/bootstrap-icons.min.css"; then
    echo "bootstrap-icons css: unexpected @font-face, check the woff edit" >&2; exit 1
fi
strip_maps "$DEST/bootstrap-icons/bootstrap-icons.min.css"

# --- Vazirmatn (SIL OFL 1.1) -------------------------------------------------
# One variable woff2 (weights 100-900). Renamed without "[wght]" because square
# brackets are not valid unescaped URL path characters.
P="$WORK/vazirmatn/package"
put "$P/fonts/webfonts/Vazirmatn[wght].woff2" vazirmatn/fonts/Vazirmatn-Variable.woff2
put "$P/OFL.txt" vazirmatn/LICENSE
put "$P/AUTHORS.txt" vazirmatn/AUTHORS.txt
cat > "$DEST/vazirmatn/vazirmatn.css" <<CSS
/* Vazirmatn v$VAZIRMATN_VERSION (variable, weights 100-900), SIL Open Font License 1.1: see LICENSE.
   Written by scripts/vendor-frontend.sh; do not edit by hand. */
@font-face {
  font-family: "Vazirmatn";
  src: url("fonts/Vazirmatn-Variable.woff2") format("woff2-variations"),
       url("fonts/Vazirmatn-Variable.woff2") format("woff2");
  font-weight: 100 900;
  font-style: normal;
  font-display: swap;
}
CSS

# --- htmx (Zero-Clause BSD) --------------------------------------------------
P="$WORK/htmx/package"
put "$P/dist/htmx.min.js" htmx/htmx.min.js
put "$P/LICENSE" htmx/LICENSE
strip_maps "$DEST/htmx/htmx.min.js"

# --- Jalali date picker (MIT) ------------------------------------------------
# Only the minified build: the unminified dist file is a webpack dev build that
# uses eval(), which the site's CSP (script-src 'self') blocks.
P="$WORK/jalalidatepicker/package"
put "$P/dist/jalalidatepicker.min.js"  jalalidatepicker/jalalidatepicker.min.js
put "$P/dist/jalalidatepicker.min.css" jalalidatepicker/jalalidatepicker.min.css
if [[ -f "$P/LICENSE" ]]; then
    put "$P/LICENSE" jalalidatepicker/LICENSE
else
    # Fallback: the tarball has carried a LICENSE so far; if a release drops it,
    # record the package.json licence with its author.
    lic="$(node -e 'const p=require(process.argv[1]);process.stdout.write(String(p.license||""))' "$P/package.json" 2>/dev/null || true)"
    author="$(node -e 'const p=require(process.argv[1]);const a=p.author||"";process.stdout.write(typeof a==="string"?a:(a.name||""))' "$P/package.json" 2>/dev/null || true)"
    [[ "$lic" == "MIT" ]] || { echo "jalalidatepicker: no LICENSE file and licence is '$lic', not MIT: check by hand" >&2; exit 1; }
    cat > "$DEST/jalalidatepicker/LICENSE" <<MIT
MIT License

Copyright (c) ${author:-the @majidh1/jalalidatepicker authors}

Note: the npm tarball of @majidh1/jalalidatepicker@$JDP_VERSION had no licence
file; this is the standard MIT text for the "license": "MIT" field of its
package.json, with the author named there.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
MIT
fi
strip_maps "$DEST/jalalidatepicker/jalalidatepicker.min.js"
strip_maps "$DEST/jalalidatepicker/jalalidatepicker.min.css"

# --- Apache ECharts (Apache-2.0) ---------------------------------------------
P="$WORK/echarts/package"
put "$P/dist/echarts.min.js" echarts/echarts.min.js
put "$P/LICENSE" echarts/LICENSE
put "$P/NOTICE" echarts/NOTICE
strip_maps "$DEST/echarts/echarts.min.js"

# --- axe-core (MPL-2.0), for the browser tests only ---------------------------
# Injected by tests/browser/test_accessibility.py; kept out of static/ so that it is
# never collected or served. Unmodified (it carries no sourceMappingURL).
P="$WORK/axe-core/package"
rm -rf "${TEST_DEST:?}/axe-core"
mkdir -p "$TEST_DEST/axe-core"
for f in axe.min.js LICENSE LICENSE-3RD-PARTY.txt; do
    [[ -f "$P/$f" ]] || { echo "missing in tarball: $P/$f" >&2; exit 1; }
    cp "$P/$f" "$TEST_DEST/axe-core/$f"
done
head -c 200 "$TEST_DEST/axe-core/axe.min.js" | grep -q "axe v$AXE_VERSION" \
    || { echo "axe.min.js does not announce v$AXE_VERSION" >&2; exit 1; }

echo
echo "Vendored into $DEST:"
(cd "$DEST" && find . -type f ! -name README.md | sort | while read -r f; do
    printf '  %8s  %s\n' "$(wc -c < "$f")" "${f#./}"
done)
du -sh "$DEST"
echo "For the tests only, in $TEST_DEST:"
(cd "$TEST_DEST" && find . -type f | sort | while read -r f; do
    printf '  %8s  %s\n' "$(wc -c < "$f")" "${f#./}"
done)
