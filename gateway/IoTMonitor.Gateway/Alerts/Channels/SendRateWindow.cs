namespace IoTMonitor.Gateway.Alerts.Channels;

/// <summary>
/// A receiver's documented send limit, counted on our side: at most <c>limit</c> sends per
/// <c>window</c> per receiver (e.g. a chat robot's 20 messages per minute). <see cref="TryTake"/>
/// either takes a slot or says how long until one frees; the channel then defers the notice
/// (<see cref="DeliveryDeferredException"/>) instead of sending a message the receiver would refuse.
/// In memory: after a restart the receiver's own refusal is the backstop.
/// </summary>
public sealed class SendRateWindow(int limit, TimeSpan window, TimeProvider time)
{
    private readonly Dictionary<string, Queue<DateTimeOffset>> _sent = new(StringComparer.Ordinal);

    /// <summary>Takes a send slot for <paramref name="receiver"/> (true), or gives the wait until the oldest send leaves the window.</summary>
    public bool TryTake(string receiver, out TimeSpan wait)
    {
        var now = time.GetUtcNow();
        lock (_sent)
        {
            if (!_sent.TryGetValue(receiver, out var sends))
            {
                _sent[receiver] = sends = new Queue<DateTimeOffset>(limit);
            }

            while (sends.Count > 0 && now - sends.Peek() >= window)
            {
                sends.Dequeue();
            }

            if (sends.Count < limit)
            {
                sends.Enqueue(now);
                wait = TimeSpan.Zero;
                return true;
            }

            wait = sends.Peek() + window - now;
            return false;
        }
    }

    /// <summary>The receiver refused as rate-limited: count the window as full for <paramref name="penalty"/>.</summary>
    public void Fill(string receiver, TimeSpan penalty)
    {
        var until = time.GetUtcNow() + penalty - window;
        lock (_sent)
        {
            var sends = new Queue<DateTimeOffset>(limit);
            for (var i = 0; i < limit; i++)
            {
                sends.Enqueue(until);
            }

            _sent[receiver] = sends;
        }
    }
}
