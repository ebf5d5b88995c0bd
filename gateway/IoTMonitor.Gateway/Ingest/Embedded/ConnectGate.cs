using System.Net;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// The connections that have not yet delivered their CONNECT, from accept (TLS handshake included) to
/// the CONNECT's last byte. MQTTnet 5.2 waits for that first packet up to its DefaultCommunicationTimeout
/// (100 s, MqttServerOptions; MqttClientSessionsManager.ReceiveConnectPacket), so idle connections (a
/// slowloris) would hold sockets for that long. Here each one gets <c>deadline</c>, and at most
/// <c>maxPerAddress</c> from one address and <c>maxTotal</c> in all wait at once: a new connection over a
/// cap closes the oldest waiting one (of its address, or of all), so a device whose CONNECT follows its
/// TCP handshake within milliseconds is not locked out by a flood, not even one from its own NAT address.
/// </summary>
internal sealed class ConnectGate(TimeSpan deadline, int maxTotal, int maxPerAddress, Action<ConnectGate.Cut, EndPoint?, TimeSpan> cut) : IDisposable
{
    public enum Cut
    {
        /// <summary>No complete CONNECT within the deadline.</summary>
        Deadline,

        /// <summary>Closed to make room for a newer connection over a cap.</summary>
        Evicted,
    }

    private readonly Action<Cut, EndPoint?, TimeSpan> _cut = cut;
    private readonly LinkedList<Waiting> _all = new();
    private readonly Dictionary<IPAddress, LinkedList<Waiting>> _byAddress = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>A connection starts waiting; <paramref name="close"/> ends it when it is cut. Dispose the result when the CONNECT arrived or the connection ended.</summary>
    public IDisposable Admit(EndPoint? remote, Action close)
    {
        var address = (remote as IPEndPoint)?.Address ?? IPAddress.None;
        var w = new Waiting(this, remote, address, close);
        List<Waiting> evicted = [];
        lock (_lock)
        {
            w.InAll = _all.AddLast(w);
            if (!_byAddress.TryGetValue(address, out var mine))
            {
                _byAddress[address] = mine = new LinkedList<Waiting>();
            }

            w.InAddress = mine.AddLast(w);
            while (mine.Count > maxPerAddress)
            {
                evicted.Add(RemoveLocked(mine.First!.Value));
            }

            while (_all.Count > maxTotal)
            {
                evicted.Add(RemoveLocked(_all.First!.Value));
            }
        }

        foreach (var e in evicted)
        {
            e.Close(Cut.Evicted);
        }

        w.Arm(deadline);
        return w;
    }

    public void Dispose()
    {
        List<Waiting> left;
        lock (_lock)
        {
            left = [.. _all];
            foreach (var w in left)
            {
                RemoveLocked(w);
            }
        }

        foreach (var w in left)
        {
            w.Disarm();
        }
    }

    /// <summary>Takes <paramref name="w"/> out of both lists; false when it was already out.</summary>
    private bool Remove(Waiting w)
    {
        lock (_lock)
        {
            if (w.InAll is null)
            {
                return false;
            }

            RemoveLocked(w);
            return true;
        }
    }

    private Waiting RemoveLocked(Waiting w)
    {
        _all.Remove(w.InAll!);
        var mine = _byAddress[w.Address];
        mine.Remove(w.InAddress!);
        if (mine.Count == 0)
        {
            _byAddress.Remove(w.Address);
        }

        w.InAll = null;
        w.InAddress = null;
        return w;
    }

    private sealed class Waiting(ConnectGate gate, EndPoint? remote, IPAddress address, Action close) : IDisposable
    {
        private readonly long _since = Environment.TickCount64;
        private readonly Lock _timerLock = new();
        private Timer? _timer;
        private int _done;

        public IPAddress Address => address;

        public LinkedListNode<Waiting>? InAll { get; set; }

        public LinkedListNode<Waiting>? InAddress { get; set; }

        public void Arm(TimeSpan after)
        {
            lock (_timerLock)
            {
                // cut already by a newer connection between Admit's lock and here
                if (Volatile.Read(ref _done) == 0)
                {
                    _timer = new Timer(_ => Expire(), null, after, Timeout.InfiniteTimeSpan);
                }
            }
        }

        public void Close(Cut why)
        {
            if (Interlocked.Exchange(ref _done, 1) != 0)
            {
                return;
            }

            Disarm();
            try
            {
                close();
            }
            finally
            {
                gate._cut(why, remote, TimeSpan.FromMilliseconds(Environment.TickCount64 - _since));
            }
        }

        public void Disarm()
        {
            lock (_timerLock)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }

        /// <summary>The CONNECT arrived or the connection ended: no longer waiting.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0)
            {
                return;
            }

            gate.Remove(this);
            Disarm();
        }

        private void Expire()
        {
            if (gate.Remove(this))
            {
                Close(Cut.Deadline);
            }
        }
    }
}
