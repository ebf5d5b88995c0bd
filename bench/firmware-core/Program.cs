using System.Diagnostics;
using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Power;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Queue;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Storage;

// The water node of docs/config.md: DS18B20 temperature + calibrated pH probe (raw sent).
const string ConfigJson = """
    {"v":1,"device":"wq-0001","site":"yellow-river-01","type":"water","wifi":{"ssid":"s"},"mqtt":{"host":"h"},
     "sampleSec":900,"uploadSec":3600,"batchMax":50,
     "sensors":[{"id":"temp","kind":"ds18b20","quantity":"water.temp","samples":3},
                {"id":"ph","kind":"analog","quantity":"water.ph","samples":5,"filter":"trimmed_mean","warmupMs":2000,
                 "calibration":{"id":"cal-1","kind":"ph","points":[[1.5,7.0],[2.03244,4.0]]}}]}
    """;

var config = new DeviceConfig();
var json = Encoding.UTF8.GetBytes(ConfigJson);
var err = new ConfigParser().ParseDevice(json, 0, json.Length, config);
if (err != ConfigError.None)
{
    Console.Error.WriteLine("config error " + err);
    return 1;
}

var sampler = new Sampler();
sampler.Bind(config.Sensors, new BenchSensors());
var clock = new BenchClock();
var queue = new FlashQueue(new SlotFileStore(), 44 * FlashQueue.SegmentBytes);
queue.Open();
var encoder = new TelemetryEncoder();
var header = new TelemetryHeader { Boot = 17, Battery = 3.91, Rssi = -71, ResetReason = 2, CalibrationId = "cal-1" };
var readings = new Reading[ProtocolLimits.MaxReadings];
var batch = new Reading[ProtocolLimits.MaxReadings];
var payload = new byte[ProtocolLimits.MaxPayloadBytes];
int seq = 1;
long wireBytes = 0;
long encodeTicks = 0;
int encoded = 0;

void Round()
{
    sampler.StartAll();
    int n = sampler.SampleAll(clock, 1_764_316_800 + (seq * 450L), 10_000, readings, 0);
    for (int i = 0; i < n; i++)
    {
        readings[i].Seq = seq++;
        queue.Append(ref readings[i], 17);
    }

    queue.Persist();

    if (queue.Count >= config.BatchMax)
    {
        int m = queue.BeginBatch(batch, config.BatchMax, out int boot);
        header.Boot = boot;
        header.Clock = 1_764_316_800 + (seq * 450L);
        header.Queued = queue.Count - m;
        long t0 = Stopwatch.GetTimestamp();
        int len = encoder.Encode(header, batch, 0, m, payload, 0, payload.Length);
        encodeTicks += Stopwatch.GetTimestamp() - t0;
        queue.Commit(m);
        wireBytes += len;
        encoded += m;
    }
}

for (int i = 0; i < 2_000; i++)
{
    Round();
}

int start = seq;
wireBytes = 0;
encodeTicks = 0;
encoded = 0;
int segmentsBefore = queue.SegmentsStarted;
long allocated = GC.GetAllocatedBytesForCurrentThread();
for (int i = 0; i < 20_000; i++)
{
    Round();
}

allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
int count = seq - start;
var profile = new PowerProfile();
Console.WriteLine($"readings through sample -> flash queue -> encode: {count}");
int segments = queue.SegmentsStarted - segmentsBefore;
Console.WriteLine($"allocated per reading (steady state): {(double)allocated / count:F2} bytes ({allocated} bytes in all: the names of {segments} new 4 KB segment files)");
Console.WriteLine($"wire bytes per reading (batches of {config.BatchMax}, envelope included, pH with raw): {(double)wireBytes / encoded:F1}");
Console.WriteLine($"encode time per reading (.NET, this machine): {encodeTicks * 1e9 / Stopwatch.Frequency / encoded:F0} ns");
Console.WriteLine($"battery: {PowerModel.DailyMah(config, profile):F2} mAh/day -> {PowerModel.LifeDays(config, profile):F0} days = {PowerModel.LifeMonths(config, profile):F1} months on {profile.CapacityMah} mAh (sampling {config.SampleSec} s, upload {config.UploadSec} s)");
// Nothing per reading; one file name (at most 128 bytes) per segment file started.
return allocated <= segments * 128L ? 0 : 2;

/// <summary>Steady simulated probes: water 14.4 °C, and the real pH driver (calibration, compensation, raw) on a pin near 1.46 V (pH ~7.2).</summary>
internal sealed class BenchSensors : ISensorFactory
{
    public ISensor Create(SensorConfig config) =>
        config.Id == "ph" ? new AnalogProbeSensor(new BenchPin(1.46), new PhProbe()) : new ConstantSensor(14.37);
}

internal sealed class BenchPin(double volts) : IAnalogInput
{
    private int _n;

    public bool TryReadVolts(out double v)
    {
        v = volts + ((_n++ % 7) * 0.001);
        return true;
    }
}

internal sealed class ConstantSensor(double value) : ISensor
{
    private int _n;

    public int ChannelCount => 1;

    public int WarmupMs => 0;

    public ReadResult Initialize() => ReadResult.Ok;

    public ReadResult Start() => ReadResult.Ok;

    public ReadResult Read(double[] raw)
    {
        raw[0] = value + ((_n++ % 7) * 0.001);
        return ReadResult.Ok;
    }

    public void Sleep()
    {
    }
}

internal sealed class BenchClock : IoTMonitor.Firmware.Core.Time.IClock
{
    public long UtcSeconds => 1_764_316_800;

    public long Millis => 0;

    public void Sleep(int ms)
    {
    }
}

// Files in preallocated slots: no allocation per call, so the figure is the core's own.
internal sealed class SlotFileStore : IFileStore
{
    private readonly string?[] _names = new string?[64];
    private readonly byte[][] _data = Enumerable.Range(0, 64).Select(_ => new byte[8192]).ToArray();
    private readonly int[] _length = new int[64];

    public string[] List() => _names.Where(n => n is not null).ToArray()!;

    public int Read(string name, byte[] buffer, int offset, int count)
    {
        int i = Array.IndexOf(_names, name);
        if (i < 0)
        {
            return -1;
        }

        int n = Math.Min(count, _length[i]);
        Array.Copy(_data[i], 0, buffer, offset, n);
        return n;
    }

    public void Append(string name, byte[] buffer, int offset, int count)
    {
        int i = Slot(name);
        Array.Copy(buffer, offset, _data[i], _length[i], count);
        _length[i] += count;
    }

    public void Replace(string name, byte[] buffer, int offset, int count)
    {
        int i = Slot(name);
        Array.Copy(buffer, offset, _data[i], 0, count);
        _length[i] = count;
    }

    public void Delete(string name)
    {
        int i = Array.IndexOf(_names, name);
        if (i >= 0)
        {
            _names[i] = null;
        }
    }

    private int Slot(string name)
    {
        int i = Array.IndexOf(_names, name);
        if (i < 0)
        {
            i = Array.IndexOf(_names, null);
            _names[i] = name;
            _length[i] = 0;
        }

        return i;
    }
}
