using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

/// <summary>
/// The drivers' view of the clock, advanced by hand: drivers only read <see cref="Millis"/>, so the
/// wall clock stays at 0 and <see cref="Sleep"/> advances the counter like the node's fake clock.
/// </summary>
public sealed class FakeClock : IClock
{
    public long Millis { get; set; }

    public long UtcSeconds => 0;

    public void Advance(long ms) => Millis += ms;

    public void Sleep(int ms) => Advance(ms);
}
