using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Core.Sensors.Analog;
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
    string Ntp = "pool.ntp.org",
    bool SimulatedProbes = true,
    bool RainGauge = false,
    EventModeSettings? EventMode = null);

/// <summary>
/// The event-mode keys of a flash-flood node (docs/config.md "Event mode"); <see cref="FlashFloodDefaults"/>
/// are the figures that section reasons out.
/// </summary>
public sealed record EventModeSettings(int SampleSec, int HoldSec, double RainMm, int RainWindowSec, double RiseM, int RiseWindowSec)
{
    /// <summary>
    /// 5 mm in 30 min (a fifth of the pack's lowest 30-min critical rainfall, 25 mm; a third of its
    /// lowest 10-min one, 15 mm) or a 0.3-m rise in 30 min; 60-s sampling; 1 h hold.
    /// </summary>
    public static EventModeSettings FlashFloodDefaults { get; } = new(SampleSec: 60, HoldSec: 3600, RainMm: 5, RainWindowSec: 1800, RiseM: 0.3, RiseWindowSec: 1800);
}

/// <summary>
/// Builds the device config document the firmware reads from flash (the keys ConfigParser reads;
/// docs/config.md): identity, WiFi, MQTT with the device's credentials (user = device id, password =
/// secret), schedule, and the sensors of the node type as wired in hardware/{type}/pinmap.csv.
/// </summary>
/// <remarks>
/// With <see cref="DeviceConfigRequest.SimulatedProbes"/> (virtual nodes) every calibratable probe
/// gets the calibration record its simulated board was built to (<see cref="ProbeTransfer"/>), and
/// the batch <c>cal</c> is <see cref="CalibrationId"/>. A real node's config gets none: its probes
/// report UNCALIBRATED (DO: no value) until a technician enters the site calibrations
/// (hardware/common/calibration.md) — a made-up record would hide that.
/// </remarks>
public static class DeviceConfigDocument
{
    /// <summary>The batch <c>cal</c> of virtual nodes (their calibration set).</summary>
    public const string CalibrationId = "cal-factory-1";

    public static string Build(DeviceConfigRequest r)
    {
        var sensors = new JsonArray();
        switch (r.Type)
        {
            case "water":
                // The pH, EC and DO drivers compensate with this probe's temperature of the same round.
                sensors.Add(Sensor("temp", "ds18b20", ["water.temp"], o => { o["tx"] = 22; o["rx"] = 21; o["samples"] = 3; }));
                sensors.Add(Analog("ph", "water.ph", Ads(0), warmupMs: 2000, calibration: Calibration(r, "ph", [[PhProbe.DefaultVoltsPh7, 7.0], [PhProbe.DefaultVoltsPh4, 4.0]])));
                sensors.Add(Analog("ec", ["water.ec", "water.tds"], Ads(1), warmupMs: 500, calibration: Calibration(r, "ec", [[ProbeTransfer.EcVolts(EcProbe.StandardUsPerCm, 25), EcProbe.StandardUsPerCm]], EcProbe.DefaultTempCoeff)));
                sensors.Add(Analog("turbidity", "water.turbidity", Ads(3), warmupMs: 500, calibration: Calibration(r, "linear", ProbeTransfer.TurbidityPointVolts.Zip(ProbeTransfer.TurbidityPointNtu, (v, ntu) => new[] { v, ntu }).ToArray(), id: "turbidity")));
                sensors.Add(Analog("do", "water.do", Ads(2), warmupMs: 2000, calibration: Calibration(r, "do", [[ProbeTransfer.DoSaturationVoltsAt25C, 25.0]])));
                sensors.Add(Analog("level", "water.level", 33, warmupMs: 1000, calibration: Calibration(r, "level", [[ProbeTransfer.LevelVolts(0), 0.0], [ProbeTransfer.LevelVolts(ProbeTransfer.LevelRangeM), ProbeTransfer.LevelRangeM]])));
                break;
            case "soil":
                // The 7-in-1 RS485 probe (moisture, temperature, EC, pH, N, P, K; ModbusProbeMaps.CwtSoil7in1);
                // the pin map's capacitive probe and DS18B20 would repeat those quantities.
                sensors.Add(Sensor("soil", "modbus", ["soil.moisture", "soil.temp", "soil.ec", "soil.ph", "soil.n", "soil.p", "soil.k"], o => { o["tx"] = 23; o["rx"] = 13; o["address"] = 1; o["samples"] = 1; o["filter"] = "none"; }));
                break;
            case "air":
                sensors.Add(Sensor("bme280", "bme280", ["air.temp", "air.rh", "air.pressure"], o => { o["bus"] = 1; o["address"] = 0x76; o["samples"] = 3; }));
                sensors.Add(Sensor("pm", "pms5003", ["air.pm1", "air.pm25", "air.pm10"], o => { o["tx"] = 23; o["rx"] = 13; o["samples"] = 3; }));
                break;
            default:
                throw new ArgumentException($"type must be water, soil or air, not '{r.Type}'");
        }

        if (r.RainGauge)
        {
            // hardware/water's flash-flood option: the tipping bucket counted by a PCF8593 on I2C1; one
            // count per wake, nothing to filter
            sensors.Add(Sensor("rain", "rain-pcf8593", ["rain.total"], o => { o["bus"] = 1; o["mmPerTip"] = Core.Config.SensorCatalog.DefaultMmPerTip; o["samples"] = 1; o["filter"] = "none"; }));
        }

        sensors.Add(Analog("battery", "device.battery", 35, samples: 3, kind: "battery", calibration: Calibration(r, "linear", [[ProbeTransfer.BatteryVolts(3.7), 3.7]], id: "battery")));

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
            ["sensors"] = sensors,
        };
        if (r.EventMode is { } ev)
        {
            doc["eventSampleSec"] = ev.SampleSec;
            doc["eventHoldSec"] = ev.HoldSec;
            doc["eventRainMm"] = ev.RainMm;
            doc["eventRainWindowSec"] = ev.RainWindowSec;
            doc["eventRiseM"] = ev.RiseM;
            doc["eventRiseWindowSec"] = ev.RiseWindowSec;
        }

        if (r.SimulatedProbes)
        {
            doc["cal"] = CalibrationId;
        }

        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// A provisioned (real-node) config after the site calibration of hardware/common/calibration.md,
    /// done against the simulated board: each probe gets the record a technician's buffers and
    /// standards would give it. For tests that commission a virtual node from <c>iotmon provision</c>.
    /// </summary>
    public static string WithSiteCalibration(string provisionedJson)
    {
        var doc = JsonNode.Parse(provisionedJson)!.AsObject();
        var simulated = JsonNode.Parse(Build(new DeviceConfigRequest(
            (string)doc["site"]!, (string)doc["device"]!, (string)doc["type"]!, "127.0.0.1", 1, "unused")))!.AsObject();
        var records = simulated["sensors"]!.AsArray()
            .Where(s => s!["calibration"] is not null)
            .ToDictionary(s => (string)s!["id"]!, s => s!["calibration"]!.DeepClone());
        foreach (var sensor in doc["sensors"]!.AsArray())
        {
            if (records.TryGetValue((string)sensor!["id"]!, out var record))
            {
                sensor["calibration"] = record;
            }
        }

        doc["cal"] = simulated["cal"]?.DeepClone();
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject Sensor(string id, string kind, string[] quantities, Action<JsonObject> more)
    {
        var o = new JsonObject { ["id"] = id, ["kind"] = kind };
        o["quantity"] = quantities.Length == 1 ? JsonValue.Create(quantities[0]) : new JsonArray(quantities.Select(q => (JsonNode)JsonValue.Create(q)!).ToArray());
        more(o);
        return o;
    }

    // Analog(...) takes a GPIO, or Ads(n) for ADS1115 input AINn.
    private const int AdsChannelBase = -100;

    private static int Ads(int channel) => AdsChannelBase - channel;

    private static JsonObject Analog(string id, string quantity, int pin, int warmupMs = 0, int samples = 5, JsonObject? calibration = null, string kind = "analog") =>
        Analog(id, [quantity], pin, warmupMs, samples, calibration, kind);

    private static JsonObject Analog(string id, string[] quantities, int pin, int warmupMs = 0, int samples = 5, JsonObject? calibration = null, string kind = "analog")
    {
        var o = Sensor(id, kind, quantities, _ => { });
        if (pin <= AdsChannelBase)
        {
            // the water node's ADS1115 on I2C1 (hardware/water/pinmap.csv)
            o["adc"] = "ads1115";
            o["bus"] = 1;
            o["address"] = 0x48;
            o["channel"] = AdsChannelBase - pin;
        }
        else
        {
            o["pin"] = pin;
        }

        o["samples"] = samples;
        o["filter"] = "median";
        if (samples >= 5)
        {
            o["stuckSamples"] = samples;
        }

        if (warmupMs > 0)
        {
            o["warmupMs"] = warmupMs;
        }

        if (calibration is not null)
        {
            o["calibration"] = calibration;
        }

        return o;
    }

    // A simulated board's record (null for a real node); its id follows the
    // cal-<when>-<sensor> convention of hardware/common/calibration.md.
    private static JsonObject? Calibration(DeviceConfigRequest r, string kind, double[][] points, double tempCoeff = 0, string? id = null)
    {
        if (!r.SimulatedProbes)
        {
            return null;
        }

        var o = new JsonObject
        {
            ["id"] = "cal-factory-" + (id ?? kind),
            ["kind"] = kind,
            ["points"] = new JsonArray(points.Select(p => (JsonNode)new JsonArray(p[0], p[1])).ToArray()),
        };
        if (tempCoeff > 0)
        {
            o["tempCoeff"] = tempCoeff;
        }

        return o;
    }

    /// <summary>
    /// A provisioned (Wi-Fi) document as a cellular node's (docs/config.md "Cellular node"): <c>cellular</c>
    /// with the modem family, the APN and the CA file on the node instead of <c>wifi</c>, MQTT over TLS.
    /// The module's pins are left out: the firmware then takes the node type's board values (Board/ModemPins).
    /// </summary>
    public static string Cellular(string json, string modem, string apn, string caPath)
    {
        var doc = JsonNode.Parse(json)!.AsObject();
        doc.Remove("wifi");
        var cellular = new JsonObject { ["modem"] = modem };
        if (apn.Length > 0)
        {
            cellular["apn"] = apn;
        }

        cellular["ca"] = caPath;
        doc["cellular"] = cellular;
        doc["mqtt"]!.AsObject()["tls"] = true;
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
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
