using System.Diagnostics;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

/// <summary>
/// Seeded frame mutations for the parser fuzz tests: bit flips, byte replacement, insertion,
/// deletion, truncation, duplication and splicing, plus pure garbage. Seeds are fixed so a failure
/// reproduces; each run is time-bounded by the caller.
/// </summary>
public static class FrameFuzz
{
    public const int Cases = 100_000;

    /// <summary>Wall-clock bound per parser run; far above the observed time, it catches a hang.</summary>
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(20);

    public static byte[] Mutate(Random rng, byte[] frame, byte[] other)
    {
        var b = new List<byte>(frame);
        int mutations = 1 + rng.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            int at = b.Count == 0 ? 0 : rng.Next(b.Count);
            switch (rng.Next(7))
            {
                case 0 when b.Count > 0:
                    b[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when b.Count > 0:
                    b[at] = (byte)rng.Next(256);
                    break;
                case 2:
                    b.Insert(at, (byte)rng.Next(256));
                    break;
                case 3 when b.Count > 0:
                    b.RemoveAt(at);
                    break;
                case 4:
                    b.RemoveRange(at, b.Count - at);
                    break;
                case 5 when b.Count > 0:
                    b.InsertRange(at, b.GetRange(at, Math.Min(b.Count - at, 1 + rng.Next(8))));
                    break;
                default:
                    int cut = rng.Next(other.Length + 1);
                    b.RemoveRange(at, b.Count - at);
                    b.AddRange(other.AsSpan(cut).ToArray());
                    break;
            }
        }

        return b.ToArray();
    }

    public static byte[] Garbage(Random rng, int maxLength)
    {
        var g = new byte[rng.Next(maxLength + 1)];
        rng.NextBytes(g);
        return g;
    }

    /// <summary>Feeds every byte and checks each answer is one of the three (never throws).</summary>
    public static int FeedAll(Func<byte, FrameStatus> feed, byte[] bytes)
    {
        int complete = 0;
        foreach (byte x in bytes)
        {
            FrameStatus s = feed(x);
            Assert.True(s == FrameStatus.Continue || s == FrameStatus.Bad || s == FrameStatus.Complete);
            if (s == FrameStatus.Complete)
            {
                complete++;
            }
        }

        return complete;
    }

    public static void AssertWithinBound(Stopwatch sw) =>
        Assert.True(sw.Elapsed < TimeBound, $"fuzz run took {sw.Elapsed}, bound {TimeBound}");
}
