#!/usr/bin/env bash
# Issue 8 figures: series answer times (30 d x 1 min for one site; 1 y daily for 50 sites) and the
# dashboard's first load, against a fresh influxd with synthetic data. Needs influxd and
# /usr/bin/chromium (scripts/install-deps.sh --browser). Prints the figures; nothing is asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run -c Release --project bench/api/IoTMonitor.Bench.Api.csproj "$@"
