using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Queue;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Tests.Fakes;

using FakeAnalogInput = IoTMonitor.Firmware.Core.Tests.Fakes.Sensors.FakeAnalogInput;
using IoTMonitor.Firmware.Core.Tests.Node;
using Xunit.Abstractions;

namespace IoTMonitor.Firmware.Core.Tests.Protocol;

/// <summary>
/// The hot-path figures (firmware/README.md): bytes allocated per reading through sample → queue → encode in steady state
/// (must be 0) and bytes per reading on the wire.
/// </summary>
public class HotPathAllocationTests(ITestOutputHelper output)
{
    internal sealed record Figures(double AllocatedPerReading, double WireBytesPerReading, int Readings, long Allocated, int SegmentsStarted);

    internal static Figures Measure(int rounds)
    {
        var config = new DeviceConfig();
        var b = System.Text.Encoding.UTF8.GetBytes(NodeHarness.Config);
        new ConfigParser().ParseDevice(b, 0, b.Length, config);
        var factory = new FakeSensorFactory();
        factory.ById["temp"] = new FakeSensor(1) { Values = [14.37] };
        // The real pH driver: calibration, temperature compensation and raw are on the measured path.
        factory.Drivers["ph"] = new AnalogProbeSensor(new FakeAnalogInput { Sequence = i => 1.63 + ((i % 7) * 0.001) }, new PhProbe());
        var sampler = new Sampler();
        sampler.Bind(config.Sensors, factory);
        var clock = new FakeClock(1_764_316_800);
        var queue = new FlashQueue(new ArrayFileStore(), 44 * FlashQueue.SegmentBytes);
        queue.Open();
        var encoder = new TelemetryEncoder();
        var header = new TelemetryHeader { Boot = 17, Battery = 3.91, Rssi = -71, ResetReason = 2, CalibrationId = "cal-1" };
        var readings = new Reading[ProtocolLimits.MaxReadings];
        var batch = new Reading[ProtocolLimits.MaxReadings];
        var payload = new byte[ProtocolLimits.MaxPayloadBytes];
        int seq = 1;
        long wireBytes = 0;
        int wireReadings = 0;

        void Round()
        {
            sampler.StartAll(clock);
            int n = sampler.SampleAll(clock, clock.UtcSeconds, 10_000, readings, 0);
            for (int i = 0; i < n; i++)
            {
                readings[i].Seq = seq++;
                queue.Append(ref readings[i], 17);
            }

            queue.Persist();

            if (queue.Count >= 50)
            {
                int m = queue.BeginBatch(batch, 50, out int boot);
                header.Boot = boot;
                header.Clock = clock.UtcSeconds;
                header.Queued = queue.Count - m;
                int len = encoder.Encode(header, batch, 0, m, payload, 0, payload.Length);
                queue.Commit(m);
                wireBytes += len;
                wireReadings += m;
            }

            clock.AdvanceSeconds(900);
        }

        for (int i = 0; i < 100; i++)
        {
            Round(); // warm up: JIT, static tables, first-use paths
        }

        int before = seq;
        wireBytes = 0;
        wireReadings = 0;
        int segments = queue.SegmentsStarted;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < rounds; i++)
        {
            Round();
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        int count = seq - before;

        return new Figures((double)allocated / count, (double)wireBytes / wireReadings, count, allocated, queue.SegmentsStarted - segments);
    }

    [Fact]
    public void Steady_state_allocates_nothing_per_reading()
    {
        var f = Measure(rounds: 500);
        output.WriteLine($"sample -> queue -> encode: {f.Readings} readings, {f.AllocatedPerReading:F2} bytes allocated per reading, {f.WireBytesPerReading:F1} wire bytes per reading (batches of 50, half of them with raw, envelope included)");
        output.WriteLine($"{f.Allocated} bytes allocated in all, {f.SegmentsStarted} segment files started");

        // Nothing per reading: the only allocation is the name of each new 4 KB segment file
        // (a string of 15 characters, built with its digits: at most 128 bytes), one per ~130 readings here.
        Assert.True(f.SegmentsStarted > 0);
        Assert.InRange(f.Allocated, 0, f.SegmentsStarted * 128L);
        Assert.InRange(f.WireBytesPerReading, 30, 50);
    }
}
