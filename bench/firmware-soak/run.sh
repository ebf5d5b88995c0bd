#!/usr/bin/env bash
# The long soak of the ESP32 app on the nanoFramework runtime model: every shipped node type (water,
# soil, air) through FIRMWARE_SOAK_WAKES wakes (default 2000) against the real gateway and a real
# influxd, with power cuts, Wi-Fi/broker outages of hours and days, gateway restarts and RTC drift.
# Prints one "SOAK" line of figures per node type (awake time, radio time, flash erases per reading)
# and fails on any lost, repeated or hung reading (tests/IoTMonitor.Firmware.Emulator.Tests/Soak).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export FIRMWARE_SOAK_WAKES=${FIRMWARE_SOAK_WAKES:-2000}
dotnet test tests/IoTMonitor.Firmware.Emulator.Tests/IoTMonitor.Firmware.Emulator.Tests.csproj -c Release -nologo \
  --filter "FullyQualifiedName~SoakTests" --logger "console;verbosity=normal" | tee /dev/stderr | grep '^ *SOAK ' || true
