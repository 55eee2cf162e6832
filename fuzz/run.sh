#!/usr/bin/env bash
# Run every fuzz target for a bounded time (FUZZ_SECONDS each, default 60) from the seed corpus
# in fuzz/corpus/TARGET, with the Mica dictionary. The committed corpus is not modified: the
# run works on a copy. A crash, a panic or a slow input (over FUZZ_TIMEOUT seconds, which is
# how a parse that is not linear shows up) fails the run and prints the input.
set -euo pipefail
cd "$(dirname "$0")"
secs=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-10}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
targets=${*:-parse check lsp_edits}
cargo +nightly fuzz build --sanitizer none --release
for target in $targets; do
  work=$(mktemp -d)
  mkdir -p "$work/corpus" "$work/artifacts"
  cp corpus/"$target"/* "$work/corpus/" 2>/dev/null || true
  echo "fuzz: $target for ${secs}s"
  cargo +nightly fuzz run --sanitizer none --release "$target" "$work/corpus" -- \
    -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb=2048 -max_len=16384 \
    -dict=mica.dict -artifact_prefix="$work/artifacts/" -print_final_stats=1 2>&1 | tail -n 25
  rm -rf "$work"
done
echo "fuzz: every target ran without a failure"
