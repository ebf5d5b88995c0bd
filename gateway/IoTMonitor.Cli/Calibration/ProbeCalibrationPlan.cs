using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Calibration;

using FirmwareQuantities = IoTMonitor.Firmware.Core.Protocol.Quantities;

namespace IoTMonitor.Cli.Calibration;

/// <summary>
/// What calibrating one sensor entry of a device config means: its quantity and the procedure its
/// probe's driver defines (steps, standards, acceptance windows). The procedure comes from the
/// firmware core itself, so the tool and the node can never disagree on a probe's steps or on which
/// record it takes.
/// </summary>
public sealed record ProbeCalibrationPlan(string Sensor, string Quantity, CalibrationProcedure Procedure)
{
    /// <summary>Finds <paramref name="sensor"/> in the device config document and the procedure of its probe.</summary>
    public static ProbeCalibrationPlan From(JsonNode config, string sensor, bool threePoint)
    {
        var entry = (config["sensors"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(s => (string?)s["id"] == sensor)
            ?? throw new CliException($"the config has no sensor '{sensor}' (its sensors: {string.Join(", ", Ids(config))})", ExitCodes.BadArguments);
        var kind = (string?)entry["kind"] ?? string.Empty;
        var quantity = entry["quantity"] switch
        {
            JsonArray a when a.Count > 0 => (string?)a[0],
            JsonValue v => (string?)v,
            _ => null,
        } ?? throw new CliException($"sensor '{sensor}' names no quantity", ExitCodes.BadArguments);

        // Only analog probes take a record on site; the digital ones are factory-calibrated (docs/config.md).
        var probe = kind is "analog" or "battery" ? SensorCatalog.AnalogProbe(FirmwareQuantities.IndexOf(quantity)) as ICalibratable : null;
        if (probe is null)
        {
            throw new CliException($"sensor '{sensor}' ({kind}, {quantity}) takes no calibration record: only analog probes are calibrated on site (docs/config.md)", ExitCodes.BadArguments);
        }

        if (threePoint && probe is not PhProbe)
        {
            throw new CliException("--three-point is for pH probes only", ExitCodes.BadArguments);
        }

        var procedure = threePoint ? ((PhProbe)probe).CreateThreePointProcedure() : probe.CreateProcedure();
        return new ProbeCalibrationPlan(sensor, quantity, procedure);
    }

    private static IEnumerable<string> Ids(JsonNode config) =>
        (config["sensors"] as JsonArray)?.OfType<JsonObject>().Select(s => (string?)s["id"] ?? "?") ?? [];
}
