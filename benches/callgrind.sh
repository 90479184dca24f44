#!/usr/bin/env bash
# Instruction counts per item for every path of benches/paths.rs and its peer
# (issue #19), under valgrind's callgrind: each path runs once, inside the
# bench's `measured` function (the only one collected), after one warm-up run.
#
#   benches/callgrind.sh            # every path
#   benches/callgrind.sh smtp       # the paths whose name contains "smtp"
#
# Prints: path, instructions per item, allocations per item, the peer, the
# peer's instructions per item and the ratio (peer / mailwire: above 1 means
# mailwire runs fewer instructions). Raw callgrind files go to
# target/callgrind/ (inspect with callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-}"

bin=$(cargo bench --bench paths --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "bench binary not found" >&2; exit 1; }
out=target/callgrind
mkdir -p "$out"

declare -A ir items allocs peer
mapfile -t paths < <(MAILWIRE_PATH=list "$bin" --bench)
for line in "${paths[@]}"; do
    name=${line%% *}
    p=${line#* }
    [ "$p" = "$name" ] && p=""
    peer[$name]=$p
done

run() {
    local name=$1 file
    file="$out/$(echo "$name" | tr '/' '_').out"
    local log
    log=$(MAILWIRE_PATH="$name" valgrind --tool=callgrind --toggle-collect='*measured*' \
        --callgrind-out-file="$file" "$bin" --bench 2>&1)
    ir[$name]=$(echo "$log" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | sort -n | tail -n 1)
    local res
    res=$(echo "$log" | grep "^$name " | tail -n 1)
    items[$name]=$(echo "$res" | awk '{print $2}')
    allocs[$name]=$(echo "$res" | awk '{print $4}')
}

for line in "${paths[@]}"; do
    name=${line%% *}
    p=${peer[$name]}
    case "$name $p" in *"$filter"*) ;; *) continue ;; esac
    [ -n "${ir[$name]:-}" ] || run "$name"
    if [ -n "$p" ] && [ -z "${ir[$p]:-}" ]; then run "$p"; fi
done

printf '%-40s %14s %10s  %-40s %14s %7s\n' path instr/item alloc/item peer peer-instr/item ratio
for line in "${paths[@]}"; do
    name=${line%% *}
    [ -n "${ir[$name]:-}" ] || continue
    p=${peer[$name]}
    per=$(awk -v a="${ir[$name]}" -v n="${items[$name]}" 'BEGIN{printf "%.0f", a/n}')
    al=$(awk -v a="${allocs[$name]}" -v n="${items[$name]}" 'BEGIN{printf "%.2f", a/n}')
    if [ -n "$p" ]; then
        pper=$(awk -v a="${ir[$p]}" -v n="${items[$p]}" 'BEGIN{printf "%.0f", a/n}')
        ratio=$(awk -v a="$pper" -v b="$per" 'BEGIN{printf "%.2f", a/b}')
    else
        pper="" ratio=""
    fi
    printf '%-40s %14s %10s  %-40s %14s %7s\n' "$name" "$per" "$al" "$p" "$pper" "$ratio"
done
