using CsCheck;
using IoTMonitor.Gateway.Alerts.FlashFlood;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.FlashFlood;

/// <summary>
/// Rain increments from running totals (rainfall contract: increment = total(n) − total(m), m the
/// largest stored n' &lt; n of the boot): window sums equal the gauge's count between the delivered
/// readings, whatever was lost, repeated or delivered late.
/// </summary>
public sealed class RainLedgerTests
{
    private const long T0 = 1_780_000_000;

    /// <summary>A gauge's readings: per minute, tips of 0.1 mm (0–30 per minute), sometimes a reboot (totals restart).</summary>
    private static readonly Gen<RainReading[]> Gauge =
        Gen.Select(Gen.Int[0, 30].Array[5, 90], Gen.Int[0, 89], Gen.Bool, (tips, rebootAt, reboots) =>
        {
            var readings = new RainReading[tips.Length];
            long boot = 1, n = 0, counted = 0;
            for (var i = 0; i < tips.Length; i++)
            {
                if (reboots && i == rebootAt)
                {
                    boot++;
                    n = 0;
                    counted = 0; // the tips of a new boot are counted from 0 again
                }

                counted += tips[i];
                readings[i] = new RainReading("s1", "g1", boot, ++n, T0 + 60 * (i + 1), counted / 10.0);
            }

            return readings;
        });

    /// <summary>What the gateway receives: some readings lost, some repeated, all in a random order.</summary>
    private static readonly Gen<(RainReading[] All, RainReading[] Delivered)> Deliveries =
        Gauge.SelectMany(all => Gen.Select(Gen.Int[0, 9].Array[all.Length], Gen.Int.Array[all.Length * 2], (fate, order) =>
        {
            var delivered = new List<RainReading>();
            for (var i = 0; i < all.Length; i++)
            {
                if (fate[i] >= 2)
                {
                    delivered.Add(all[i]); // 0, 1: lost
                }

                if (fate[i] == 9)
                {
                    delivered.Add(all[i]); // delivered twice
                }
            }

            var shuffled = delivered.Select((r, i) => (r, key: order[i])).OrderBy(x => x.key).Select(x => x.r).ToArray();
            return (all, shuffled);
        }));

    /// <summary>The gauge's count over (from, to] as the delivered readings show it: per boot, the last delivered total at `to` minus the last at `from`.</summary>
    private static double Expected(IEnumerable<RainReading> delivered, long from, long to)
    {
        double sum = 0;
        foreach (var boot in delivered.DistinctBy(r => (r.Boot, r.N)).GroupBy(r => r.Boot))
        {
            var atTo = boot.Where(r => r.T <= to).OrderBy(r => r.N).LastOrDefault();
            var atFrom = boot.Where(r => r.T <= from).OrderBy(r => r.N).LastOrDefault();
            sum += atTo.Total - atFrom.Total; // default: no reading yet, 0 mm
        }

        return Math.Round(sum, 3);
    }

    [Fact]
    public void Window_sums_equal_the_gauges_count_across_lost_duplicated_and_late_readings()
    {
        Deliveries.Sample(x =>
        {
            var ledger = new RainLedger();
            foreach (var r in x.Delivered)
            {
                ledger.Add(r);
            }

            foreach (var minutes in new[] { 10, 30, 60, 180 })
            {
                for (var end = T0; end <= T0 + 60 * (x.All.Length + 1); end += 300)
                {
                    var expected = Expected(x.Delivered, end - minutes * 60, end);
                    var actual = ledger.Sum("s1", end, minutes * 60);
                    if (Math.Abs(expected - actual) > 1e-9)
                    {
                        throw new InvalidOperationException($"{minutes} min to {end - T0}: expected {expected}, got {actual}");
                    }
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void With_nothing_lost_the_whole_storm_sums_to_every_tip_whatever_the_order_and_repeats()
    {
        Gen.Select(Gauge, Gen.Int.Array[180], (all, order) => (all, order)).Sample(x =>
        {
            var tips = x.all.GroupBy(r => r.Boot).Sum(b => b.Max(r => r.Total)); // every tip counted once per boot
            var delivered = x.all.Concat(x.all.Take(x.all.Length / 3)).Select((r, i) => (r, key: x.order[i % x.order.Length] ^ i)).OrderBy(p => p.key).Select(p => p.r);
            var ledger = new RainLedger();
            foreach (var r in delivered)
            {
                ledger.Add(r);
            }

            Assert.Equal(Math.Round(tips, 3), ledger.Sum("s1", T0 + 60 * (x.all.Length + 1), 60 * (x.all.Length + 2)), 9);
            Assert.Equal(Math.Round(tips, 3), ledger.Increments("s1", T0, long.MaxValue).Sum(i => i.Millimetres), 9);
        }, iter: 200);
    }

    [Fact]
    public void A_lost_reading_falls_into_the_next_and_a_late_one_splits_it_again()
    {
        var ledger = new RainLedger();
        ledger.Add(new RainReading("s", "g", 1, 1, T0 + 60, 1.0));
        ledger.Add(new RainReading("s", "g", 1, 3, T0 + 180, 4.5));
        Assert.Equal(1.0, ledger.Increment("s", "g", 1, 1));
        Assert.Equal(3.5, ledger.Increment("s", "g", 1, 3)); // n=2 lost: its rain is in n=3

        Assert.Equal(RainAdd.Stored, ledger.Add(new RainReading("s", "g", 1, 2, T0 + 120, 2.2)));
        Assert.Equal(1.2, ledger.Increment("s", "g", 1, 2));
        Assert.Equal(2.3, ledger.Increment("s", "g", 1, 3)); // recomputed from the pair (2, 3)

        Assert.Equal(RainAdd.Duplicate, ledger.Add(new RainReading("s", "g", 1, 2, T0 + 120, 2.2)));
        Assert.Equal(4.5, ledger.Sum("s", T0 + 180, 3600));
    }

    [Fact]
    public void A_total_that_goes_down_within_a_boot_counts_zero_and_is_counted_as_a_decrease()
    {
        var ledger = new RainLedger();
        ledger.Add(new RainReading("s", "g", 1, 1, T0 + 60, 5.0));
        Assert.Equal(RainAdd.StoredWithDecrease, ledger.Add(new RainReading("s", "g", 1, 2, T0 + 120, 0.4)));
        ledger.Add(new RainReading("s", "g", 1, 3, T0 + 180, 1.0));
        Assert.Equal(0, ledger.Increment("s", "g", 1, 2));
        Assert.Equal(0.6, ledger.Increment("s", "g", 1, 3));
        Assert.Equal(1, ledger.Decreases);
        Assert.Equal(5.6, ledger.Sum("s", T0 + 180, 600));
    }

    [Fact]
    public void A_new_boot_counts_its_first_total_whole_and_a_site_takes_its_wettest_gauge()
    {
        var ledger = new RainLedger();
        ledger.Add(new RainReading("s", "g", 1, 7, T0 + 60, 10.0));
        ledger.Add(new RainReading("s", "g", 2, 1, T0 + 120, 0.8)); // rebooted: 0.8 mm since the new boot began
        ledger.Add(new RainReading("s", "h", 5, 1, T0 + 120, 3.0));
        Assert.Equal(10.8, ledger.Sum("s", T0 + 120, 600));
        Assert.Equal(3.0, ledger.Sum("s", T0 + 120, 60)); // g: 0.8 in the last minute, h: 3.0
        Assert.Equal(0.8, ledger.Increment("s", "g", 2, 1));
    }

    [Fact]
    public void Pruning_keeps_each_boots_base_so_a_later_reading_is_still_an_exact_increment()
    {
        var ledger = new RainLedger();
        for (var n = 1; n <= 10; n++)
        {
            ledger.Add(new RainReading("s", "g", 1, n, T0 + 60 * n, n * 1.5));
        }

        ledger.Prune(T0 + 60 * 10 + 1); // every reading is older: the newest stays as the base
        ledger.Add(new RainReading("s", "g", 1, 11, T0 + 60 * 11, 16.9));
        Assert.Equal(1.9, ledger.Increment("s", "g", 1, 11));
        Assert.Equal(1.9, ledger.Sum("s", T0 + 60 * 11, 60));
    }
}
