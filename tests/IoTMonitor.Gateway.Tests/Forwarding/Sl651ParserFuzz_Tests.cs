using CsCheck;
using IoTMonitor.Gateway.Forwarding.Sl651;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>The reader of what a centre station sends never throws, always moves on, and refuses every frame a changed byte breaks.</summary>
public sealed class Sl651ParserFuzz_Tests
{
    private static readonly byte[][] Seeds =
    [
        Sl651PlatformSimulator.Downlink("0012345678", 0x34, Sl651PlatformSimulator.SerialAndTime(7, DateTimeOffset.UnixEpoch.AddYears(56)), 0x1B),
        Sl651PlatformSimulator.Downlink("0012345678", 0x37, Sl651PlatformSimulator.SerialAndTime(8, DateTimeOffset.UnixEpoch.AddYears(56)), 0x05),
        Sl651PlatformSimulator.Downlink("0012345678", 0x38, [.. Sl651PlatformSimulator.SerialAndTime(9, DateTimeOffset.UnixEpoch.AddYears(56)), .. Sl651PlatformSimulator.Bcd("26112008261120120418000100392300"), 0x00], 0x05),
        Convert.FromHexString("7E7E00123456780112343080080200035910111549471B75D4"),
    ];

    [Fact]
    public void Random_bytes_never_throw_and_reading_always_moves_on_or_waits()
    {
        Gen.Byte.Array[0, 600].Sample(bytes =>
        {
            var ok = Sl651Frame.TryRead(bytes, out var frame, out var consumed, out var error);
            return ok ? frame is not null && consumed > 0 && consumed <= bytes.Length
                : consumed == 0 ? error is null : consumed <= bytes.Length && error is not null;
        }, iter: 20_000);
    }

    [Fact]
    public void Random_bytes_after_a_frame_start_never_throw()
    {
        Gen.Byte.Array[0, 600].Sample(tail =>
        {
            byte[] bytes = [0x7E, 0x7E, .. tail];
            var ok = Sl651Frame.TryRead(bytes, out var frame, out var consumed, out _);
            return !ok || (frame is not null && consumed > 0);
        }, iter: 20_000);
    }

    [Fact]
    public void Mutated_frames_never_throw_and_a_changed_byte_is_caught()
    {
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[0, 10_000], Gen.Byte).Sample((seed, at, value) =>
        {
            var frame = Seeds[seed].ToArray();
            var pos = at % frame.Length;
            var changed = frame[pos] != value;
            frame[pos] = value;
            var ok = Sl651Frame.TryRead(frame, out _, out _, out _);

            // a single changed byte breaks the frame (CRC, flag, STX or end character) or, when the length grew, leaves it waiting for more
            return !changed || !ok;
        }, iter: 20_000);
    }

    [Fact]
    public void Every_seed_reads()
    {
        foreach (var s in Seeds)
        {
            Assert.True(Sl651Frame.TryRead(s, out var f, out var consumed, out var error), error);
            Assert.Equal((s.Length, false), (consumed, f!.Up));
        }
    }

    [Fact]
    public void Bcd_times_from_random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 8].Sample(bytes => !Bcd.TryTime(bytes, TimeSpan.FromHours(8), out var at) || at.Year >= 2000, iter: 20_000);
    }
}
