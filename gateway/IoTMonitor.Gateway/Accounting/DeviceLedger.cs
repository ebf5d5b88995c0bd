namespace IoTMonitor.Gateway.Accounting;

/// <summary>A missing range of sequence numbers, both ends included.</summary>
public readonly record struct SequenceGap(long From, long To);

/// <summary>A device ledger's state at one moment (what an <see cref="ILedgerStore"/> keeps across restarts).</summary>
public sealed record DeviceLedgerState(
    string Site,
    string Device,
    DateTimeOffset LastSeen,
    long Boot,
    long HighestSequence,
    long Duplicates,
    long Readings,
    double Battery,
    long Rssi,
    long DroppedByDevice,
    SequenceGap[] Gaps);

/// <summary>
/// What the gateway knows of one device: last seen, boot, highest sequence, missing ranges (gaps),
/// duplicates (a <c>(boot, n)</c> seen before), battery and RSSI. Thread-safe.
/// </summary>
public sealed class DeviceLedger(string site, string device)
{
    public const int MaxGaps = 64;

    private readonly List<SequenceGap> _gaps = new();
    private long _version;

    public string Site { get; } = site;

    public string Device { get; } = device;

    public DateTimeOffset LastSeen { get; private set; }

    public long Boot { get; private set; } = -1;

    public long HighestSequence { get; private set; }

    public long Duplicates { get; private set; }

    public long Readings { get; private set; }

    public double Battery { get; private set; }

    public long Rssi { get; private set; }

    /// <summary>
    /// A cellular node's network as its last batch reported it (protocol §4 <c>op</c>, <c>act</c>,
    /// <c>rsrp</c>; <c>iccid</c> from the last batch that carried it). Held in memory since the gateway
    /// started, not in the ledger's store: the history is in InfluxDB's <c>health</c> measurement.
    /// </summary>
    public CellularHealth? Cellular { get; private set; }

    public long DroppedByDevice { get; private set; }

    public SequenceGap[] Gaps
    {
        get
        {
            lock (_gaps)
            {
                return _gaps.ToArray();
            }
        }
    }

    public long MissingCount
    {
        get
        {
            lock (_gaps)
            {
                long n = 0;
                foreach (var g in _gaps)
                {
                    n += g.To - g.From + 1;
                }

                return n;
            }
        }
    }

    /// <summary>Grows with every change, so a store writes only the ledgers that changed since it last did.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The current state and the version it belongs to.</summary>
    public (DeviceLedgerState State, long Version) Snapshot()
    {
        lock (_gaps)
        {
            return (new DeviceLedgerState(Site, Device, LastSeen, Boot, HighestSequence, Duplicates, Readings, Battery, Rssi, DroppedByDevice, _gaps.ToArray()), _version);
        }
    }

    /// <summary>Takes the state a previous run stored, so its sequence numbers are not seen as a gap.</summary>
    public void Restore(DeviceLedgerState state)
    {
        lock (_gaps)
        {
            LastSeen = state.LastSeen;
            Boot = state.Boot;
            HighestSequence = state.HighestSequence;
            Duplicates = state.Duplicates;
            Readings = state.Readings;
            Battery = state.Battery;
            Rssi = state.Rssi;
            DroppedByDevice = state.DroppedByDevice;
            _gaps.Clear();
            _gaps.AddRange(state.Gaps.Length <= MaxGaps ? state.Gaps : state.Gaps[^MaxGaps..]);
        }
    }

    /// <summary>
    /// Joins the state replicas share into this one (<see cref="LedgerMerge.Combine"/>): what this
    /// replica observed since is kept, and the version is left as it is, so the store still writes
    /// those changes and does not write the joined state back for nothing.
    /// </summary>
    public void Merge(DeviceLedgerState shared, long readingsAccounted, long duplicatesAccounted)
    {
        lock (_gaps)
        {
            var local = new DeviceLedgerState(Site, Device, LastSeen, Boot, HighestSequence, Duplicates, Readings, Battery, Rssi, DroppedByDevice, _gaps.ToArray());
            var joined = LedgerMerge.Combine(shared, local, readingsAccounted, duplicatesAccounted);
            LastSeen = joined.LastSeen;
            Boot = joined.Boot;
            HighestSequence = joined.HighestSequence;
            Duplicates = joined.Duplicates;
            Readings = joined.Readings;
            Battery = joined.Battery;
            Rssi = joined.Rssi;
            DroppedByDevice = joined.DroppedByDevice;
            _gaps.Clear();
            _gaps.AddRange(joined.Gaps);
        }
    }

    /// <summary>Records a batch's cellular keys (any of them present); keeps the last ICCID when this batch has none.</summary>
    public void Network(string? op, long? act, long? rsrp, string? iccid)
    {
        if (op is null && act is null && rsrp is null && iccid is null)
        {
            return;
        }

        lock (_gaps)
        {
            Cellular = new CellularHealth(op, act, rsrp, iccid ?? Cellular?.Iccid);
        }
    }

    public void Health(DateTimeOffset now, double battery, long rssi, long dropped)
    {
        lock (_gaps)
        {
            _version++;
            LastSeen = now;
            Battery = battery;
            Rssi = rssi;
            DroppedByDevice = dropped;
        }
    }

    /// <summary>Records reading <paramref name="seq"/> of boot <paramref name="boot"/>; returns false for a duplicate.</summary>
    public bool Observe(long boot, long seq)
    {
        lock (_gaps)
        {
            _version++;
            if (boot > Boot)
            {
                Boot = boot;
                HighestSequence = 0;
                _gaps.Clear();
            }
            else if (boot < Boot)
            {
                // a reading of an earlier boot delivered late: nothing to place it against
                Readings++;
                return true;
            }

            if (seq > HighestSequence)
            {
                if (seq > HighestSequence + 1)
                {
                    if (_gaps.Count == MaxGaps)
                    {
                        _gaps.RemoveAt(0);
                    }

                    _gaps.Add(new SequenceGap(HighestSequence + 1, seq - 1));
                }

                HighestSequence = seq;
                Readings++;
                return true;
            }

            for (var i = 0; i < _gaps.Count; i++)
            {
                var g = _gaps[i];
                if (seq < g.From || seq > g.To)
                {
                    continue;
                }

                // a late reading fills (part of) a gap
                _gaps.RemoveAt(i);
                if (seq < g.To)
                {
                    _gaps.Insert(i, new SequenceGap(seq + 1, g.To));
                }

                if (seq > g.From)
                {
                    _gaps.Insert(i, new SequenceGap(g.From, seq - 1));
                }

                Readings++;
                return true;
            }

            Duplicates++;
            return false;
        }
    }
}
