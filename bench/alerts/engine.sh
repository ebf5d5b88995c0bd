#!/usr/bin/env bash
# Alert engine throughput: batches evaluated per second, CPU and allocation per batch, SQLite commits
# and rule-state writes (count and bytes) per 10k batches, and how a graceful stop drains a queued
# burst within Alerts:StopDrainSeconds. Decoded batches (4 water readings each, river sites, the default rule pack, a
# turbidity spike now and then so alerts open and resolve) are handed to AlertEngine.OnReadingsDurable
# as the ingest pipeline does; no broker, WAL or network is involved.
#   bench/alerts/engine.sh [batches=10000] [devices=2000] [pacedRate=8000] [pacedSeconds=3]
# BENCH_STRACE=1 also counts fsync/fdatasync calls with strace (an outside check on the commit count).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build EngineBench -c Release -nologo -clp:ErrorsOnly >/dev/null
dll=EngineBench/bin/Release/net10.0/EngineBench.dll
if [ "${BENCH_STRACE:-0}" = 1 ]; then
  counts=$(mktemp)
  strace -f -qq -c -e trace=fsync,fdatasync -o "$counts" dotnet "$dll" "$@"
  echo "strace, whole run (set-up included: sites, profiles, rule pack):"
  grep -E 'fsync|fdatasync' "$counts"
  rm -f "$counts"
else
  dotnet "$dll" "$@"
fi
