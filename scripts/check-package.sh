#!/usr/bin/env bash
# The client as a consumer gets it: `npm pack`, installed into an empty project (its dependencies from the
# registry, no scripts run), and test/package/app.ts compiled there with `skipLibCheck: false`, so that a
# declaration that needs something the package does not bring (a devDependency's types, say) fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
npm pack --silent --pack-destination "$dir" >/dev/null
cp test/package/app.ts test/package/tsconfig.json "$dir/"
printf '{"name":"consumer","private":true,"type":"module"}\n' > "$dir/package.json"
typescript="typescript@$(node -p "require('./node_modules/typescript/package.json').version")"
(cd "$dir" && npm install --silent --ignore-scripts --no-audit --no-fund ./portcullis-*.tgz "$typescript" >/dev/null)
(cd "$dir" && node node_modules/typescript/bin/tsc -p .)
echo "the packed client compiles in a consumer with skipLibCheck: false"
