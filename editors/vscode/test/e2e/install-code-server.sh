#!/usr/bin/env bash
# Installs code-server (VS Code in a browser, from the npm registry) for the end-to-end test, without
# any download outside the npm registry, and prints the path of its `code-server` launcher.
#
# The install lives outside the repository, in a folder named after the version, so a rerun on the
# same machine takes a second. A stamp written as the very last step marks an install as complete;
# a folder without it (an interrupted install) is wiped and installed again, never reused.
#
# Environment (all optional):
#   MICA_CODE_SERVER_DIR  where to install (default: ${XDG_CACHE_HOME:-~/.cache}/mica-e2e/code-server-VERSION)
#
# Needs node and npm (Node 20), a C++ toolchain and python3 (node-gyp), `rg` (Debian's ripgrep) and the
# Kerberos headers (libkrb5-dev): .ci/run installs them.
set -euo pipefail

# 4.100.3 is the newest code-server known to run on Node 20; later releases need Node 22.
version=4.100.3
dir="${MICA_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mica-e2e/code-server-$version}"
stamp="$dir/.mica-install-complete"
# The stamp holds this script's own hash, so changing the recipe reinstalls.
recipe="$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
launcher="$dir/node_modules/code-server/out/node/entry.js"

log() { echo "install-code-server: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { log "missing \`$1\`: $2"; exit 1; }; }

if [[ -f "$stamp" && "$(cat "$stamp")" == "$version $recipe" && -f "$launcher" ]]; then
  log "code-server $version already installed in $dir"
  echo "$dir/node_modules/.bin/code-server"
  exit 0
fi

need node "install Node 20"
need npm "install npm"
need rg "apt-get install ripgrep (code-server's search needs it; its own download of rg cannot work offline)"
need make "apt-get install build-essential"
[[ -f /usr/include/krb5.h || -f /usr/include/krb5/krb5.h ]] || { log "missing the Kerberos headers: apt-get install libkrb5-dev"; exit 1; }

log "installing code-server $version into $dir"
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
echo '{ "private": true }' >package.json
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# code-server's own install script would run `npm install` in lib/vscode with all scripts, and one of
# them downloads ripgrep from GitHub; so install without scripts and do its steps by hand.
npm install --ignore-scripts --no-save --loglevel=error "code-server@$version" >&2
cs="$dir/node_modules/code-server"
(
  cd "$cs/lib/vscode"
  npm install --omit=dev --ignore-scripts --loglevel=error >&2
  # @vscode/ripgrep's postinstall downloads rg unless bin/rg is already there.
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  chmod 755 node_modules/@vscode/ripgrep/bin/rg
  # Builds the native modules (node-pty, kerberos, spdlog, ...) against this Node.
  npm rebuild --loglevel=error >&2
)
# The password hashing module at the top level is native too (unused with --auth none, but loaded).
npm rebuild argon2 --loglevel=error >&2

# code-server writes a default config file on its first run; keep it inside the install.
XDG_CONFIG_HOME="$dir/config" "$dir/node_modules/.bin/code-server" --version >&2
echo "$version $recipe" >"$stamp"
log "done"
echo "$dir/node_modules/.bin/code-server"
