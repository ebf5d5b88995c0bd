namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>Deterministic pseudo-random numbers from (seed, keys): the same site replays the same weather.</summary>
public static class Noise
{
    /// <summary>A uniform value in [0, 1) for the keys (SplitMix64 finaliser).</summary>
    public static double Uniform(long seed, long a, long b = 0)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)a * 0xBF58476D1CE4E5B9UL) ^ ((ulong)b * 0x94D049BB133111EBUL));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Smooth noise in [−1, 1] over time: cosine interpolation between random knots <paramref name="periodSec"/> apart.</summary>
    public static double Smooth(long seed, long key, double utc, double periodSec)
    {
        var x = utc / periodSec;
        var i = (long)Math.Floor(x);
        var f = x - i;
        var a = (Uniform(seed, key, i) * 2) - 1;
        var b = (Uniform(seed, key, i + 1) * 2) - 1;
        var w = (1 - Math.Cos(f * Math.PI)) / 2;
        return a + ((b - a) * w);
    }

    /// <summary>A stable 64-bit hash of a string (FNV-1a), for seeds from site and device ids.</summary>
    public static long Hash(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (var c in s)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return unchecked((long)h);
    }
}
