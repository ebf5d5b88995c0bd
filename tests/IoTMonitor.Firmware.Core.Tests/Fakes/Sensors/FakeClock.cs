using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

/// <summary>A millisecond clock the test advances by hand.</summary>
public sealed class FakeClock : IMillisecondClock
{
    public long NowMs { get; set; }

    public void Advance(long ms) => NowMs += ms;
}
