#!/usr/bin/env bash
# Vendor third-party browser assets from the npm registry at the versions pinned in
# static/vendor/package.json, into static/vendor/<name>-<version>/.
set -euo pipefail
cd "$(dirname "$0")/../static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

version() { node -e "console.log(require('./package.json').dependencies['$1'])"; }

fetch() {  # name -> unpacked package dir
  local name=$1 v
  v=$(version "$name")
  (cd "$work" && npm pack -q "$name@$v" >/dev/null && mkdir -p "$name" && tar xzf "${name}-${v}.tgz" -C "$name")
  rm -rf "./${name}-${v}" && mkdir -p "./${name}-${v}"
  echo "$work/$name/package ./${name}-${v}"
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
echo "vendored: $(ls -d ./*-*/ | tr '\n' ' ')"
