#!/usr/bin/env bash
# Prints the import paths of packages that have cgo files or depend on a
# package that does (so their tests exercise the cgo boundary). Prints
# nothing when the module has no cgo package yet.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t cgo < <(go list -f '{{if .CgoFiles}}{{.ImportPath}}{{end}}' ./... | sed '/^$/d')
[ ${#cgo[@]} -eq 0 ] && exit 0
go list -f '{{.ImportPath}} {{join .Deps " "}}' ./... | while read -r pkg deps; do
	for c in "${cgo[@]}"; do
		if [ "$pkg" = "$c" ] || [[ " $deps " == *" $c "* ]]; then
			echo "$pkg"
			break
		fi
	done
done
