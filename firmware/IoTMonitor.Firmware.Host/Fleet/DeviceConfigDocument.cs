using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Host.Sensors;

namespace IoTMonitor.Firmware.Host.Fleet;

/// <summary>What goes into a device config document besides the site type.</summary>
public sealed record DeviceConfigRequest(
    string Site,
    string Device,
    string Type,
    string MqttHost,
    int MqttPort,
    string Secret,
    string WifiSsid = "iotmon-field",
    string WifiPassword = "",
    int SampleSec = 900,
    int UploadSec = 3600,
    int BatchMax = 50,
    int MaxAwakeSec = 60,
    bool Tls = false,
    string Ntp = "pool.ntp.org");

/// <summary>
/// Builds the device config document the firmware reads from flash (the keys ConfigParser reads;
/// docs/config.md): identity, WiFi, MQTT with the device's credentials (user = device id, password =
/// secret), schedule, and the sensors of the node type as wired in hardware/{type}/pinmap.csv with
/// calibration points matching the probe boards (<see cref="ProbeTransfer"/>).
/// </summary>
public static class DeviceConfigDocument
{
    /// <summary>Calibration record id written into configs made here.</summary>
    public const string CalibrationId = "cal-factory-1";

    public static string Build(DeviceConfigRequest r)
    {
        var sensors = new JsonArray();
        switch (r.Type)
        {
            case "water":
                sensors.Add(Sensor("temp", "ds18b20", ["water.temp"], o => { o["tx"] = 22; o["rx"] = 21; o["samples"] = 3; }));
                sensors.Add(Analog("ph", "water.ph", 36, "ph", ProbeTransfer.PhPoints, warmupMs: 2000));
                sensors.Add(Analog("ec", "water.ec", 39, "ec", ProbeTransfer.EcPoints, warmupMs: 500));
                sensors.Add(Analog("turbidity", "water.turbidity", 34, "linear", ProbeTransfer.TurbidityPoints, warmupMs: 500));
                sensors.Add(Analog("do", "water.do", 32, "do", ProbeTransfer.DoPoints, warmupMs: 2000));
                sensors.Add(Analog("level", "water.level", 33, "level", ProbeTransfer.LevelPoints, warmupMs: 1000));
                break;
            case "soil":
                sensors.Add(Analog("moisture", "soil.moisture", 34, "moisture", ProbeTransfer.MoisturePoints, warmupMs: 200));
                sensors.Add(Sensor("temp", "ds18b20", ["soil.temp"], o => { o["tx"] = 22; o["rx"] = 21; o["samples"] = 3; }));
                sensors.Add(Sensor("npk", "modbus", ["soil.ec", "soil.n", "soil.p", "soil.k"], o => { o["tx"] = 23; o["rx"] = 13; o["address"] = 1; o["samples"] = 1; o["filter"] = "none"; o["warmupMs"] = 1000; }));
                break;
            case "air":
                sensors.Add(Sensor("bme280", "bme280", ["air.temp", "air.rh", "air.pressure"], o => { o["bus"] = 1; o["address"] = 0x76; o["samples"] = 3; }));
                sensors.Add(Sensor("pm", "pms5003", ["air.pm1", "air.pm25", "air.pm10"], o => { o["tx"] = 23; o["rx"] = 13; o["samples"] = 3; o["warmupMs"] = 30000; }));
                break;
            default:
                throw new ArgumentException($"type must be water, soil or air, not '{r.Type}'");
        }

        sensors.Add(Analog("battery", "device.battery", 35, "linear", ProbeTransfer.BatteryPoints, samples: 3));

        var doc = new JsonObject
        {
            ["v"] = 1,
            ["device"] = r.Device,
            ["site"] = r.Site,
            ["type"] = r.Type,
            ["wifi"] = new JsonObject { ["ssid"] = r.WifiSsid, ["password"] = r.WifiPassword },
            ["mqtt"] = new JsonObject { ["host"] = r.MqttHost, ["port"] = r.MqttPort, ["user"] = r.Device, ["password"] = r.Secret, ["tls"] = r.Tls },
            ["ntp"] = r.Ntp,
            ["sampleSec"] = r.SampleSec,
            ["uploadSec"] = r.UploadSec,
            ["batchMax"] = r.BatchMax,
            ["maxAwakeSec"] = r.MaxAwakeSec,
            ["cal"] = CalibrationId,
            ["sensors"] = sensors,
        };
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject Sensor(string id, string kind, string[] quantities, Action<JsonObject> more)
    {
        var o = new JsonObject { ["id"] = id, ["kind"] = kind };
        o["quantity"] = quantities.Length == 1 ? JsonValue.Create(quantities[0]) : new JsonArray(quantities.Select(q => (JsonNode)JsonValue.Create(q)!).ToArray());
        more(o);
        return o;
    }

    private static JsonObject Analog(string id, string quantity, int pin, string calibrationKind, double[][] points, int warmupMs = 0, int samples = 5)
    {
        var pts = new JsonArray();
        foreach (var p in points)
        {
            pts.Add(new JsonArray(JsonValue.Create(Math.Round(p[0], 4)), JsonValue.Create(p[1])));
        }

        var o = new JsonObject
        {
            ["id"] = id,
            ["kind"] = "analog",
            ["quantity"] = quantity,
            ["pin"] = pin,
            ["samples"] = samples,
            ["filter"] = "median",
            ["stuckSamples"] = samples >= 5 ? 5 : 0,
            ["calibration"] = new JsonObject { ["id"] = CalibrationId, ["kind"] = calibrationKind, ["points"] = pts },
        };
        if (warmupMs > 0)
        {
            o["warmupMs"] = warmupMs;
        }

        return o;
    }

    /// <summary>Reads site, device, type and the MQTT credentials back from a config document.</summary>
    public static (string Site, string Device, string Type, string Host, int Port, string Secret) Identity(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var mqtt = root.GetProperty("mqtt");
        return (
            root.GetProperty("site").GetString()!,
            root.GetProperty("device").GetString()!,
            root.GetProperty("type").GetString()!,
            mqtt.GetProperty("host").GetString()!,
            mqtt.TryGetProperty("port", out var p) ? p.GetInt32() : 1883,
            mqtt.TryGetProperty("password", out var s) ? s.GetString() ?? string.Empty : string.Empty);
    }
}
