#!/usr/bin/env bash
# Prints the firmware core's figures: allocations and wire bytes per reading, encode time, battery life.
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet run -c Release --project FirmwareCoreBench.csproj
