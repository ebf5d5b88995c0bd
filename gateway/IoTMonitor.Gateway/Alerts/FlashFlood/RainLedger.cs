// Rainfall from the gauges' running totals (docs/protocol.md §8 "Rainfall", docs/alerts.md "Flash-flood
// warnings"): a node reports `rain.total`, the rain its gauge counted since the boot began; the
// increment of each reading is derived here from the readings stored so far, so a lost reading's
// rain falls into the next one, a duplicate changes nothing and a late one splits its successor's
// increment (both are recomputed from the stored pair, never patched).

namespace IoTMonitor.Gateway.Alerts.FlashFlood;

/// <summary>One stored <c>rain.total</c> reading.</summary>
public readonly record struct RainReading(string Site, string Device, long Boot, long N, long T, double Total);

/// <summary>One reading's derived increment, attributed to the reading's sampling time.</summary>
public readonly record struct RainIncrement(string Device, long Boot, long N, long T, double Millimetres);

/// <summary>What storing a reading did.</summary>
public enum RainAdd
{
    /// <summary>New (device, boot, n): stored, the increments around it derived again.</summary>
    Stored,

    /// <summary>(device, boot, n) was stored before: nothing changed.</summary>
    Duplicate,

    /// <summary>Stored, and it made a pair whose total went down within the boot (increment taken as 0).</summary>
    StoredWithDecrease,
}

/// <summary>
/// The stored <c>rain.total</c> readings of each device by (boot, n), and the increments and
/// sliding-window sums derived from them. Pure: the engine feeds it and persists what it stores.
/// <para>
/// increment(device, boot, n) = total(n) − total(m), m the largest stored n' &lt; n of the same
/// device and boot; the first stored reading of a boot counts its whole total; a negative difference
/// (a gauge fault or a counter reset the node did not see) counts 0. The increment is attributed to
/// the reading's sampling time: the rain fell between the two readings, and the warning cannot know
/// more exactly when. A window sum over (end − d, end] adds the increments of the readings sampled in
/// it, so it equals the gauge's count between the last reading before the window and the last one
/// in it, whatever was lost, repeated or late.
/// </para>
/// A site with several gauges is judged by the wettest one (each is a point measurement; adding
/// them would count the same storm twice).
/// </summary>
public sealed class RainLedger
{
    private readonly Dictionary<string, SiteRain> _sites = new(StringComparer.Ordinal);

    /// <summary>Readings whose total was lower than their predecessor's (counted once, when the pair formed).</summary>
    public long Decreases { get; private set; }

    public RainAdd Add(in RainReading r)
    {
        if (!_sites.TryGetValue(r.Site, out var site))
        {
            site = new SiteRain();
            _sites[r.Site] = site;
        }

        if (!site.Devices.TryGetValue(r.Device, out var boots))
        {
            boots = [];
            site.Devices[r.Device] = boots;
        }

        if (!boots.TryGetValue(r.Boot, out var readings))
        {
            readings = [];
            boots[r.Boot] = readings;
        }

        if (readings.ContainsKey(r.N))
        {
            return RainAdd.Duplicate;
        }

        readings.Add(r.N, new Point(r.T, r.Total));
        var i = readings.IndexOfKey(r.N);
        var decreased = (i > 0 && r.Total < readings.GetValueAtIndex(i - 1).Total)
            || (i < readings.Count - 1 && readings.GetValueAtIndex(i + 1).Total < r.Total);
        if (decreased)
        {
            Decreases++;
        }

        return decreased ? RainAdd.StoredWithDecrease : RainAdd.Stored;
    }

    /// <summary>The increment of a stored reading (null when it is not stored).</summary>
    public double? Increment(string site, string device, long boot, long n)
    {
        if (!_sites.TryGetValue(site, out var s) || !s.Devices.TryGetValue(device, out var boots)
            || !boots.TryGetValue(boot, out var readings))
        {
            return null;
        }

        var i = readings.IndexOfKey(n);
        return i < 0 ? null : IncrementAt(readings, i);
    }

    private static double IncrementAt(SortedList<long, Point> readings, int i)
    {
        var total = readings.GetValueAtIndex(i).Total;
        var before = i == 0 ? 0 : readings.GetValueAtIndex(i - 1).Total;

        // totals are sent at 0.1 mm: rounding keeps sums of differences free of binary noise
        return Math.Max(0, Math.Round(total - before, 3));
    }

    /// <summary>The site's rainfall over (<paramref name="end"/> − <paramref name="seconds"/>, <paramref name="end"/>]: the wettest gauge's.</summary>
    public double Sum(string site, long end, long seconds)
    {
        if (!_sites.TryGetValue(site, out var s))
        {
            return 0;
        }

        var from = end - seconds;
        var wettest = 0.0;
        foreach (var boots in s.Devices.Values)
        {
            var sum = 0.0;
            foreach (var readings in boots.Values)
            {
                for (var i = 0; i < readings.Count; i++)
                {
                    var t = readings.GetValueAtIndex(i).T;
                    if (t > from && t <= end)
                    {
                        sum += IncrementAt(readings, i);
                    }
                }
            }

            wettest = Math.Max(wettest, sum);
        }

        return Math.Round(wettest, 3);
    }

    /// <summary>Every increment of the site's gauges sampled in [<paramref name="from"/>, <paramref name="to"/>], in time order (API, tests).</summary>
    public List<RainIncrement> Increments(string site, long from, long to)
    {
        var list = new List<RainIncrement>();
        if (!_sites.TryGetValue(site, out var s))
        {
            return list;
        }

        foreach (var (device, boots) in s.Devices)
        {
            foreach (var (boot, readings) in boots)
            {
                for (var i = 0; i < readings.Count; i++)
                {
                    var p = readings.GetValueAtIndex(i);
                    if (p.T >= from && p.T <= to)
                    {
                        list.Add(new RainIncrement(device, boot, readings.GetKeyAtIndex(i), p.T, IncrementAt(readings, i)));
                    }
                }
            }
        }

        list.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : string.CompareOrdinal(a.Device, b.Device));
        return list;
    }

    /// <summary>The newest sampling time stored for the site (null when none).</summary>
    public long? Newest(string site)
    {
        if (!_sites.TryGetValue(site, out var s))
        {
            return null;
        }

        long? newest = null;
        foreach (var boots in s.Devices.Values)
        {
            foreach (var readings in boots.Values)
            {
                for (var i = 0; i < readings.Count; i++)
                {
                    var t = readings.GetValueAtIndex(i).T;
                    newest = newest is { } n && n >= t ? n : t;
                }
            }
        }

        return newest;
    }

    /// <summary>Sites with stored readings.</summary>
    public IEnumerable<string> Sites => _sites.Keys;

    /// <summary>Boots kept per device by <see cref="Prune"/> (each as at least its newest reading).</summary>
    public const int KeptBoots = 8;

    /// <summary>
    /// Forgets readings sampled before <paramref name="before"/>, except each boot's newest one before
    /// it: it stays as the base of the next reading's increment (without it a late reading of that
    /// boot would count its whole total). Of the boots, the newest <see cref="KeptBoots"/> per device stay.
    /// </summary>
    public void Prune(long before)
    {
        foreach (var site in _sites.Values)
        {
            foreach (var boots in site.Devices.Values)
            {
                foreach (var readings in boots.Values)
                {
                    var keep = -1;
                    for (var i = 0; i < readings.Count && readings.GetValueAtIndex(i).T < before; i++)
                    {
                        keep = i;
                    }

                    for (var i = 0; i < keep; i++)
                    {
                        readings.RemoveAt(0);
                    }
                }

                if (boots.Count > KeptBoots)
                {
                    foreach (var old in boots.Keys.Order().Take(boots.Count - KeptBoots).ToList())
                    {
                        boots.Remove(old);
                    }
                }
            }
        }
    }

    /// <summary>Forgets everything (a rollback reloads from the store).</summary>
    public void Clear()
    {
        _sites.Clear();
    }

    private readonly record struct Point(long T, double Total);

    private sealed class SiteRain
    {
        public Dictionary<string, Dictionary<long, SortedList<long, Point>>> Devices { get; } = new(StringComparer.Ordinal);
    }
}
