#!/usr/bin/env bash
# Gateway benchmark (not a timed test): builds the driver in Release and runs it on loopback against a
# real influxd and mosquitto started for the run. Prints the figures. Args: [messages] [clients].
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$here/LoadGen" -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet "$here/LoadGen/bin/Release/net10.0/LoadGen.dll" "${1:-100000}" "${2:-64}"
