#!/usr/bin/env bash
# Vendor third-party browser assets from the npm registry at the versions pinned in
# static/vendor/package.json, into static/vendor/<name>-<version>/; its devDependencies
# (test-only assets that pages never load, e.g. axe-core) go to tests/e2e/vendor/ instead,
# out of what collectstatic serves.
set -euo pipefail
cd "$(dirname "$0")/../static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

version() { node -e "const p = require('./package.json'); console.log({...p.dependencies, ...p.devDependencies}['$1'])"; }

fetch() {  # name [directory to vendor into, default .] -> unpacked package dir, destination dir
  local name=$1 into=${2:-.} v
  v=$(version "$name")
  (cd "$work" && npm pack -q "$name@$v" >/dev/null && mkdir -p "$name" && tar xzf "${name}-${v}.tgz" -C "$name")
  rm -rf "${into:?}/${name}-${v}" && mkdir -p "${into}/${name}-${v}"
  echo "$work/$name/package ${into}/${name}-${v}"
}

read -r src dst < <(fetch bootstrap)
cp "$src"/dist/css/bootstrap.min.css{,.map} "$src"/dist/js/bootstrap.bundle.min.js{,.map} "$src"/LICENSE "$dst"/

read -r src dst < <(fetch htmx.org)
cp "$src"/dist/htmx.min.js "$src"/LICENSE "$dst"/

read -r src dst < <(fetch swagger-ui-dist)
cp "$src"/{swagger-ui-bundle.js,swagger-ui-standalone-preset.js,swagger-ui.css,swagger-ui.css.map,favicon-32x32.png,LICENSE} "$dst"/
# The reply letter as an image, for WeChat's browser where nothing can be downloaded.
read -r src dst < <(fetch html-to-image)
cp "$src"/dist/html-to-image.js{,.map} "$src"/LICENSE "$dst"/
# Charts on dashboards and appraisal results; each chart's figures are also a table.
read -r src dst < <(fetch echarts)
cp "$src"/dist/echarts.min.js "$src"/LICENSE "$src"/NOTICE "$dst"/
# axe-core is test-only: the accessibility browser test injects it (tests/e2e/vendor/).
read -r src dst < <(fetch axe-core ../../tests/e2e/vendor)
cp "$src"/{axe.min.js,LICENSE,LICENSE-3RD-PARTY.txt} "$dst"/
echo "vendored: $(ls -d ./*-*/ | tr '\n' ' ')"
