using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Fakes;

/// <summary>A sensor whose next values and results the test sets.</summary>
public sealed class FakeSensor(int channels, int warmupMs = 0) : ISensor
{
    public double[] Values { get; set; } = Enumerable.Repeat(1.0, channels).ToArray();
    public Func<int, double[]>? Sequence { get; set; }
    public ReadResult InitResult { get; set; } = ReadResult.Ok;
    public ReadResult ReadResult { get; set; } = ReadResult.Ok;
    public int Reads { get; private set; }
    public int Starts { get; private set; }

    /// <summary>Clock time of every Read, when <see cref="Clock"/> is set.</summary>
    public List<long> ReadAtMs { get; } = [];
    public IoTMonitor.Firmware.Core.Time.IClock? Clock { get; set; }
    public bool Asleep { get; private set; }
    public int ChannelCount => channels;
    public int WarmupMs => warmupMs;

    public ReadResult Initialize() => InitResult;

    public ReadResult Start()
    {
        Starts++;
        Asleep = false;
        return ReadResult.Ok;
    }

    public ReadResult Read(double[] raw)
    {
        var v = Sequence?.Invoke(Reads) ?? Values;
        Reads++;
        if (Clock != null)
        {
            ReadAtMs.Add(Clock.Millis);
        }

        if (ReadResultQuality.HasValue(ReadResult))
        {
            Array.Copy(v, raw, channels);
        }

        return ReadResult;
    }

    public void Sleep() => Asleep = true;
}

/// <summary>Hands out FakeSensors, or real drivers on fake buses, by config id.</summary>
public sealed class FakeSensorFactory : ISensorFactory
{
    public Dictionary<string, FakeSensor> ById { get; } = [];

    /// <summary>Real core drivers (e.g. an AnalogProbeSensor on a FakeAnalogInput), looked up before <see cref="ById"/>.</summary>
    public Dictionary<string, ISensor> Drivers { get; } = [];

    public ISensor? Create(SensorConfig config) =>
        Drivers.TryGetValue(config.Id, out var d) ? d : ById.TryGetValue(config.Id, out var s) ? s : null;
}
