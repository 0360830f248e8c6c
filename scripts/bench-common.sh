# Shared setup of the worker benchmarks (bench-cpu.sh, bench-run.sh, bench-pacing.sh), sourced
# by them with their arguments (`source scripts/bench-common.sh "$@"`); it prints the machine
# line first. From the repository root, release builds of llmq and bench, the openai SDK for the
# Python side when asked, the bench-data/ folder, and helpers.
#   $llmq, $bench   the release binaries
#   $data           bench-data/
#   counts          the job counts: the script's arguments, else $BENCH_COUNTS
#   machine_line    prints the machine (cores, CPU) and its load average right now
#   corpus N [ARGS] prints the path of an N-line corpus from make-corpus.py (made once)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build -c release --product llmq >/dev/null
swift build -c release --product bench >/dev/null
[ "${BENCH_NEEDS_OPENAI:-0}" = 1 ] && { python3 -c "import openai" 2>/dev/null || pip install -q openai; }
data=bench-data
mkdir -p "$data"
llmq=.build/release/llmq
bench=.build/release/bench

machine_line() {
    echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)"
}

corpus() {
    local n=$1; shift
    local path="$data/corpus-$n${*:+-$(echo "$*" | sed "s/^--//; s/ --/-/g; s/ /-/g")}.jsonl"
    [ -f "$path" ] || python3 scripts/make-corpus.py "$n" "$path" "$@" >&2
    echo "$path"
}

counts=("$@")
[ ${#counts[@]} -gt 0 ] || read -ra counts <<< "${BENCH_COUNTS:-}"
machine_line
