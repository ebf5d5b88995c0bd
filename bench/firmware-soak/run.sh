#!/usr/bin/env bash
# The long soak of the ESP32 app on the nanoFramework runtime model: every shipped node type (water,
# soil, air) through FIRMWARE_SOAK_WAKES wakes (default 2000) against the real gateway and a real
# influxd, with power cuts, Wi-Fi/broker outages of hours and days, gateway restarts and RTC drift.
# Each node runs as shipped: its config names the DS3231 backup RTC and the chip (with its cell) sits
# on the model's I2C bus, so the run also fails on any reading dead-lettered as unsynced_time.
# The three node types run side by side (each test process starts its own influxd and gateway on
# random loopback ports); most of a wake's real time is waiting for loopback MQTT, not CPU.
# Then the same over the cellular variant (config/{type}-cellular.json: ModemLink on the AT-level modem
# model in the board's modem socket, SIMCom on water and air, Quectel on soil) with modem faults.
# Prints one "SOAK" line of figures per node type (readings, duplicates, losses, awake time, radio
# time, flash erases per reading) and exits non-zero on any lost, repeated or hung reading
# (tests/IoTMonitor.Firmware.Emulator.Tests/Soak). Logs: $FIRMWARE_SOAK_LOGS (default a temp dir).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export FIRMWARE_SOAK_WAKES=${FIRMWARE_SOAK_WAKES:-2000}
logs=${FIRMWARE_SOAK_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/firmware-soak-XXXXXX")}
mkdir -p "$logs"
project=tests/IoTMonitor.Firmware.Emulator.Tests/IoTMonitor.Firmware.Emulator.Tests.csproj
dotnet build "$project" -c Release -nologo -clp:ErrorsOnly
# The runner loads the app's assembly afresh at every wake: run from a copy of the build, so a
# rebuild in the tree during the run cannot change the app under test halfway.
bin=$logs/bin
rm -rf "$bin"
cp -r tests/IoTMonitor.Firmware.Emulator.Tests/bin/Release/net10.0 "$bin"
git rev-parse HEAD >"$logs/commit" 2>/dev/null || true
pids=()
for type in water soil air; do
  dotnet test "$bin/IoTMonitor.Firmware.Emulator.Tests.dll" \
    --filter "FullyQualifiedName~SoakTests&DisplayName~$type" --logger "console;verbosity=normal" >"$logs/$type.log" 2>&1 &
  pids+=($!)
done
dotnet test "$bin/IoTMonitor.Firmware.Emulator.Tests.dll" \
  --filter "FullyQualifiedName~SoakTests.Over_the_modem_link" --logger "console;verbosity=normal" >"$logs/cellular.log" 2>&1 &
pids+=($!)
status=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || status=1
done
for type in water soil air; do
  grep -h '^ *SOAK ' "$logs/$type.log" || { echo "no SOAK line for $type (see $logs/$type.log)"; status=1; }
  grep -hE '^ *(Passed|Failed) ' "$logs/$type.log" | head -3 || true
done
grep -h '^ *SOAK cellular' "$logs/cellular.log" || { echo "no SOAK line for cellular (see $logs/cellular.log)"; status=1; }
grep -hE '^ *(Passed|Failed) ' "$logs/cellular.log" | head -3 || true
echo "logs: $logs"
exit $status
