#!/usr/bin/env bash
# Assembles docs/benchmarks.md from the sections each benchmark wrote to docs/benchmarks/<name>.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
{
    echo "# Benchmarks"
    echo
    echo "Produced by \`make bench\` (one benchmark: \`make bench BENCH=<name>\`). Each section names the"
    echo "command, the machine and the date of its own run; ratios are against a peer measured in the same run."
    for f in docs/benchmarks/*.md; do [ -f "$f" ] && { echo; cat "$f"; }; done
} > docs/benchmarks.md
