using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>
/// The session of one platform's connection (<see cref="PlatformConnection"/> connects and
/// reconnects): sends the outbox oldest first, one report at a time, and waits
/// <c>AnswerTimeoutSeconds</c> for the centre's confirmation — a downlink frame of the same function
/// code, station and serial number, ending EOT (end the link) or ESC (keep it) —, writing the report
/// again up to <c>RetryCount</c> times before dropping the connection (the report stays first in the
/// outbox). While idle it sends a link keep-alive (2F) per station every <c>KeepAliveSeconds</c>. It
/// reads what the centre sends: confirmations, and requests handed to <see cref="Sl651Requests"/>.
/// </summary>
public sealed class Sl651Link : PlatformLink<(string Station, byte Function, int Serial), Sl651Frame>
{
    /// <summary>Idle time after which each station sends a link keep-alive report (2F).</summary>
    public const int KeepAliveSeconds = 60;

    private readonly Sl651Platform _platform;
    private readonly Sl651Options _options;
    private readonly Sl651Requests _requests;

    public Sl651Link(Sl651Platform platform, IForwardingOutbox outbox, Sl651Options options, Sl651Requests requests, ForwardingCounters counters, TimeProvider clock, ILogger log)
        : base("SL 651", platform.Name, platform.Host, platform.Port, options.ReconnectSeconds, outbox, counters, clock, log)
    {
        _platform = platform;
        _options = options;
        _requests = requests;
    }

    protected override async Task SendAsync(Func<byte[], CancellationToken, Task> write, Task reader, CancellationToken token)
    {
        var lastWrite = Clock.GetUtcNow();
        while (true)
        {
            await ThrowIfClosedAsync(reader).ConfigureAwait(false);
            var batch = Outbox.NextPending(32);
            if (batch.Count == 0)
            {
                if (Clock.GetUtcNow() - lastWrite >= TimeSpan.FromSeconds(KeepAliveSeconds))
                {
                    foreach (var station in _platform.Sites)
                    {
                        var body = new Sl651Body(_options.Offset).Header(Outbox.NextCounter("serial:" + station.Station, 65535), Clock.GetUtcNow()).ToArray();
                        await write(Sl651Composer.Up(_platform, station, Sl651Function.KeepAlive, body, Sl651Control.Etx), token).ConfigureAwait(false);
                    }

                    lastWrite = Clock.GetUtcNow();
                }

                await IdleAsync(reader, token).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
                continue;
            }

            foreach (var entry in batch)
            {
                if (!await SendOneAsync(entry, write, token).ConfigureAwait(false))
                {
                    break; // another replica holds the platform now: ask the outbox again
                }
            }

            lastWrite = Clock.GetUtcNow();
        }
    }

    /// <summary>Sends one entry; false when the outbox refused it (another replica holds the platform).</summary>
    private async Task<bool> SendOneAsync(ForwardingOutboxEntry entry, Func<byte[], CancellationToken, Task> write, CancellationToken token)
    {
        var bytes = Convert.FromHexString(entry.Frame);
        if (!Sl651Frame.TryRead(bytes, out var frame, out _, out var error))
        {
            // cannot happen for a frame this forwarder built; kept out of the way so the outbox does not stall
            Log.LogError("SL 651 {Platform}: outbox entry {Id} is not a valid frame ({Error}); marked done without sending", _platform.Name, entry.Id, error);
            Outbox.MarkDone(entry.Id, false, Clock.GetUtcNow());
            return true;
        }

        var key = (frame!.Station, frame.Function, int.Parse(entry.Qn, System.Globalization.CultureInfo.InvariantCulture));
        var outcome = await SendUntilAnsweredAsync(entry, key, t => write(bytes, t), _options.RetryCount, _options.AnswerTimeoutSeconds,
            attempt => Log.LogInformation("SL 651 {Platform}: no confirmation of {Function:X2} serial {Serial} within {Seconds} s (attempt {Attempt})", _platform.Name, frame.Function, entry.Qn, _options.AnswerTimeoutSeconds, attempt), token).ConfigureAwait(false);
        if (outcome == SendOutcome.Unanswered)
        {
            throw new TimeoutException($"no confirmation of function {frame.Function:X2} serial {entry.Qn} after {_options.RetryCount + 1} sends");
        }

        return outcome == SendOutcome.Answered;
    }

    protected override async Task ReadAsync(NetworkStream stream, ChannelWriter<Sl651Frame> requests, CancellationToken token)
    {
        var buffer = new byte[4096];
        var pending = new List<byte>(Sl651Frame.OverheadBytes + Sl651Frame.MaxBody);
        while (true)
        {
            var n = await stream.ReadAsync(buffer, token).ConfigureAwait(false);
            if (n == 0)
            {
                requests.TryComplete();
                FailAnswers();

                return;
            }

            pending.AddRange(buffer.AsSpan(0, n));
            while (pending.Count > 0)
            {
                var ok = Sl651Frame.TryRead(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending), out var frame, out var consumed, out var error);
                if (consumed == 0)
                {
                    break;
                }

                pending.RemoveRange(0, consumed);
                if (!ok)
                {
                    Interlocked.Increment(ref Counters.InvalidFrames);
                    Log.LogInformation("SL 651 {Platform}: bytes from the centre refused ({Error})", _platform.Name, error);
                    continue;
                }

                Handle(frame!, requests);
            }
        }
    }

    private void Handle(Sl651Frame frame, ChannelWriter<Sl651Frame> requests)
    {
        if (frame.Up)
        {
            Interlocked.Increment(ref Counters.InvalidFrames);
            Log.LogInformation("SL 651 {Platform}: an uplink frame came from the centre; ignored", _platform.Name);
            return;
        }

        if (Sl651Function.IsReport(frame.Function))
        {
            if (frame.Body.Length >= 2 && Answers.TryGetValue((frame.Station, frame.Function, (frame.Body[0] << 8) | frame.Body[1]), out var answer))
            {
                answer.TrySetResult();
            }

            return;
        }

        if (frame.Function == Sl651Function.KeepAlive || frame.Function == Sl651Function.Test)
        {
            return;
        }

        if (!requests.TryWrite(frame))
        {
            Interlocked.Increment(ref Counters.Refused);
            Log.LogWarning("SL 651 {Platform}: request {Function:X2} dropped, {Max} requests already waiting", _platform.Name, frame.Function, MaxWaitingRequests);
        }
    }

    protected override async Task AnswerAsync(ChannelReader<Sl651Frame> requests, Func<byte[], CancellationToken, Task> write, CancellationToken token)
    {
        await foreach (var m in requests.ReadAllAsync(token).ConfigureAwait(false))
        {
            try
            {
                if (await _requests.AnswerAsync(m, token).ConfigureAwait(false) is { } answer)
                {
                    await write(answer, token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException and not IOException)
            {
                Interlocked.Increment(ref Counters.Refused);
                Log.LogWarning(e, "SL 651 {Platform}: request {Function:X2} failed", _platform.Name, m.Function);
            }
        }
    }
}
