#!/usr/bin/env bash
# Makes FerretDB 1.24's SQLite `_id` filters use the collection's unique `_id` index (see
# scripts/build-ferretdb.sh): the filter expression becomes the index's own. Fails loudly if
# the source no longer looks as expected, rather than building an unpatched binary.
set -euo pipefail
file="$1/internal/backends/sqlite/metadata/metadata.go"
old="IDColumn = DefaultColumn + \"->'\$._id'\""
new="IDColumn = DefaultColumn + \"->'_id'\""
grep -qF "$old" "$file" || { echo "id-index patch: '$old' not found in $file" >&2; exit 1; }
sed -i "s|->'\\\$\\._id'\"|->'_id'\"|" "$file"
grep -qF "$new" "$file" || { echo "id-index patch: not applied to $file" >&2; exit 1; }
echo "ferretdb: patched $file (_id filters use the _id index)"
