#!/usr/bin/env bash
# The VS Code end-to-end test: installs code-server (once per machine, see install-code-server.sh),
# then runs test_vscode.py, which installs the platform .vsix into a fresh code-server profile, opens
# a copy of the example workspace in headless Chromium and checks what VS Code shows.
#
# Usage: editors/vscode/test/e2e/run.sh [VSIX]   (default: editors/vscode/mica-linux-x64.vsix,
#        built by `npm run package:linux-x64`)
#
# Needs: Debian's chromium and chromium-driver, python3 with requirements.txt installed, and what
# install-code-server.sh needs. Environment: MICA_E2E_SCREENSHOTS (where failures leave a
# screenshot; default: a temp dir), MICA_E2E_TIMEOUT (seconds per wait, default 60), KEEP_TMP=1.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
vscode="$(cd "$here/../.." && pwd)"
repo="$(cd "$vscode/../.." && pwd)"
vsix="${1:-$vscode/mica-linux-x64.vsix}"

[[ -f "$vsix" ]] || { echo "run.sh: no $vsix; build it with: (cd editors/vscode && npm run package:linux-x64)" >&2; exit 1; }
vsix="$(cd "$(dirname "$vsix")" && pwd)/$(basename "$vsix")"
for tool in chromium chromedriver; do
  command -v "$tool" >/dev/null || { echo "run.sh: no $tool; apt-get install chromium chromium-driver" >&2; exit 1; }
done

code_server="$(bash "$here/install-code-server.sh")"
echo "code-server: $code_server"
echo "vsix: $vsix"

cd "$here"
CODE_SERVER="$code_server" MICA_VSIX="$vsix" MICA_REPO="$repo" \
  python3 -m pytest -p no:cacheprovider -v test_vscode.py "${@:2}"
