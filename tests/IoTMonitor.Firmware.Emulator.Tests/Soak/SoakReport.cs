namespace IoTMonitor.Firmware.Emulator.Tests.Soak;

/// <summary>What a soak run saw: failures by kind and the figures it measured.</summary>
public sealed class SoakReport
{
    public string NodeType { get; init; } = "";

    /// <summary>The DS3231 backup RTC was in the config and on the bus (as shipped).</summary>
    public bool RtcFitted { get; init; }

    public int Wakes { get; set; }

    public int Cuts { get; set; }

    public int SamplingWakesClean { get; set; }

    public int ReadingsPerSample { get; set; }

    public long ReadingsArrived { get; set; }

    public List<string> Hangs { get; } = [];

    public List<string> Repeats { get; } = [];

    public List<string> Holes { get; } = [];

    public List<string> Other { get; } = [];

    /// <summary>Non-zero gateway counters of rejected, dead-lettered or dropped data (for diagnosis).</summary>
    public List<string> GatewayNotes { get; } = [];

    public long Erases { get; set; }

    public long FlashBytes { get; set; }

    public List<long> AwakeMs { get; } = [];

    public List<long> RadioOnMs { get; } = [];

    public int RadioOnNotUploading { get; set; }

    public long MaxAwakeAllowedMs { get; set; }

    public double ErasesPerReading => ReadingsArrived == 0 ? double.PositiveInfinity : (double)Erases / ReadingsArrived;

    /// <summary>Readings the gateway dead-lettered as unsynced_time: sampled in a boot whose clock was never set.</summary>
    public long UnsyncedDeadLettered { get; set; }

    /// <summary>Boots of the batches dead-lettered as unsynced_time.</summary>
    public HashSet<long> UnsyncedBoots { get; } = [];

    /// <summary>Readings the node discarded as unplaceable (its state's lifetime count, health unp).</summary>
    public long UnplaceableDiscarded { get; set; }

    public long MissingReadings => Math.Max(0, ((long)SamplingWakesClean * ReadingsPerSample) - ReadingsArrived - UnsyncedDeadLettered - UnplaceableDiscarded);

    /// <summary>Timer wakes on a working network that sampled without the radio: awake ms.</summary>
    public List<long> SampleOnlyAwakeMs { get; } = [];

    /// <summary>Timer wakes on a working network that uploaded (one MQTT connect): awake ms, radio-on ms, rails-on ms (when they sampled).</summary>
    public List<long> UploadAwakeMs { get; } = [];

    public List<long> UploadRadioMs { get; } = [];

    public List<long> UploadRailsMs { get; } = [];

    public long AwakeP95 => Percentile(AwakeMs, 0.95);

    public long AwakeMax => AwakeMs.Count == 0 ? 0 : AwakeMs.Max();

    public double AwakeMean => AwakeMs.Count == 0 ? 0 : AwakeMs.Average();

    /// <summary>Kinds of power cut that happened (<see cref="NodeSoak.CutClasses"/>).</summary>
    public HashSet<string> CutClassesSeen { get; } = [];

    /// <summary>Wakes that began while the access point was down.</summary>
    public int WakesInWifiOutage { get; set; }

    /// <summary>Longest Wi-Fi outage the soak's plan had, hours.</summary>
    public double LongestWifiOutageHours { get; set; }

    public int GatewayRestarts { get; set; }

    /// <summary>Largest RTC error (drift in deep sleep) seen at the start of a wake on a set clock, s.</summary>
    public double MaxRtcErrorSec { get; set; }

    public IEnumerable<string> Failures()
    {
        foreach (string c in NodeSoak.CutClasses.Where(c => !CutClassesSeen.Contains(c)))
        {
            yield return "fault never happened: power cut " + c;
        }

        if (WakesInWifiOutage == 0 || LongestWifiOutageHours < 2)
        {
            yield return $"fault never happened: a Wi-Fi outage of hours ({WakesInWifiOutage} wakes in an outage, longest {LongestWifiOutageHours:F1} h)";
        }

        if (GatewayRestarts == 0)
        {
            yield return "fault never happened: a gateway restart";
        }

        if (MaxRtcErrorSec < 1)
        {
            yield return $"fault never happened: RTC drift (largest error {MaxRtcErrorSec:F1} s)";
        }

        foreach (string h in Hangs.Take(5))
        {
            yield return "hang: " + h;
        }

        if (Hangs.Count > 5)
        {
            yield return $"... {Hangs.Count} hangs in all";
        }

        foreach (string r in Repeats.Take(5))
        {
            yield return "(boot, n) repeated: " + r;
        }

        if (Repeats.Count > 5)
        {
            yield return $"... {Repeats.Count} repeated (boot, n) in all";
        }

        foreach (string h in Holes.Take(5))
        {
            yield return "reading lost inside a boot: " + h;
        }

        if (Holes.Count > 5)
        {
            yield return $"... {Holes.Count} holes in all";
        }

        if (MissingReadings > 0)
        {
            yield return $"{MissingReadings} readings of {SamplingWakesClean} sampling wakes that ended in deep sleep never arrived ({ReadingsArrived} of {(long)SamplingWakesClean * ReadingsPerSample})";
        }

        if (AwakeMax > MaxAwakeAllowedMs)
        {
            yield return $"a wake lasted {AwakeMax} ms, over the {MaxAwakeAllowedMs} ms cap";
        }

        if (RtcFitted && (UnsyncedDeadLettered > 0 || UnplaceableDiscarded > 0))
        {
            // With the RTC every power-on has a time: nothing may be left unplaceable.
            yield return $"with the DS3231 fitted, {UnsyncedDeadLettered} readings dead-lettered as unsynced_time and {UnplaceableDiscarded} discarded unplaceable (boots {string.Join(",", UnsyncedBoots.Order().Take(5))})";
        }

        foreach (string o in Other.Take(5))
        {
            yield return o;
        }
    }

    public string Figures() =>
        $"{NodeType}{(RtcFitted ? " with DS3231" : " without RTC")}: {Wakes} wakes, {Cuts} power cuts, {SamplingWakesClean} clean sampling wakes x {ReadingsPerSample} readings, {ReadingsArrived} distinct readings in InfluxDB, {Repeats.Count} (boot, n) stored twice, {Holes.Count} boots with a hole, {MissingReadings} committed readings missing, {Hangs.Count} hangs, {UnsyncedDeadLettered} dead-lettered as unsynced_time (boot never synced), {UnplaceableDiscarded} discarded unplaceable by the node; " +
        $"clean timer wakes: sampling only {Mean(SampleOnlyAwakeMs):F0} ms awake (n {SampleOnlyAwakeMs.Count}), uploading {Mean(UploadAwakeMs):F0} ms awake / {Mean(UploadRadioMs):F0} ms radio / {Mean(UploadRailsMs):F0} ms rails (n {UploadAwakeMs.Count}); " +
        $"awake mean {AwakeMean:F0} ms p95 {AwakeP95} ms max {AwakeMax} ms; radio on mean {(RadioOnMs.Count == 0 ? 0 : RadioOnMs.Average()):F0} ms, {RadioOnNotUploading} wakes with the radio on that did not upload; " +
        $"faults: cuts {string.Join("/", CutClassesSeen.Order())}, {WakesInWifiOutage} wakes in Wi-Fi outages (longest {LongestWifiOutageHours:F0} h), {GatewayRestarts} gateway restarts, RTC error up to {MaxRtcErrorSec:F0} s; " +
        $"flash {Erases} erases, {FlashBytes / 1024} KiB programmed, {ErasesPerReading:F3} erases per reading" +
        (GatewayNotes.Count == 0 ? "" : "; gateway: " + string.Join(" | ", GatewayNotes));

    private static double Mean(List<long> values) => values.Count == 0 ? 0 : values.Average();

    private static long Percentile(List<long> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.OrderBy(v => v).ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }
}
