using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>
/// The TCP connection to one platform: sends the outbox oldest first, one packet at a time; when the
/// packet asks for an answer (Flag bit A) it waits <c>AnswerTimeoutSeconds</c> for the 9014 with its
/// QN and writes it again up to <c>RetryCount</c> times, then drops the connection and opens a new one
/// after <c>ReconnectSeconds</c> (the packet stays first in the outbox; the connecting and
/// reconnecting is <see cref="PlatformConnection"/>'s). It reads what the platform sends on the same
/// connection: 9014 answers, and requests handed to <see cref="Hj212Requests"/>.
/// </summary>
public sealed class Hj212Link : PlatformLink<string, Hj212Message>
{
    private readonly Hj212Platform _platform;
    private readonly Hj212Options _options;
    private readonly Hj212Requests _requests;

    public Hj212Link(Hj212Platform platform, IForwardingOutbox outbox, Hj212Options options, Hj212Requests requests, ForwardingCounters counters, TimeProvider clock, ILogger log)
        : base("HJ 212", platform.Name, platform.Host, platform.Port, options.ReconnectSeconds, outbox, counters, clock, log)
    {
        _platform = platform;
        _options = options;
        _requests = requests;
    }

    protected override async Task SendAsync(Func<byte[], CancellationToken, Task> write, Task reader, CancellationToken token)
    {
        while (true)
        {
            await ThrowIfClosedAsync(reader).ConfigureAwait(false);
            var batch = Outbox.NextPending(32);
            if (batch.Count == 0)
            {
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
        }
    }

    /// <summary>Sends one entry; false when the outbox refused it (another replica holds the platform).</summary>
    private async Task<bool> SendOneAsync(ForwardingOutboxEntry entry, Func<byte[], CancellationToken, Task> write, CancellationToken token)
    {
        var bytes = Encoding.UTF8.GetBytes(entry.Frame);
        if (!(Hj212Parser.TryParse(bytes, out var parsed, out _) && parsed!.AnswerRequired))
        {
            // no 9014 asked for: sent is done
            if (entry.Attempts > 0)
            {
                Interlocked.Increment(ref Counters.Resent);
            }

            if (!Outbox.BeginAttempt(entry.Id))
            {
                return false;
            }

            await write(bytes, token).ConfigureAwait(false);
            Interlocked.Increment(ref Counters.Sent);
            Outbox.MarkDone(entry.Id, false, Clock.GetUtcNow());
            return true;
        }

        var outcome = await SendUntilAnsweredAsync(entry, entry.Qn, t => write(bytes, t), _options.RetryCount, _options.AnswerTimeoutSeconds,
            attempt => Log.LogInformation("HJ 212 {Platform}: no 9014 for QN {Qn} within {Seconds} s (attempt {Attempt})", _platform.Name, entry.Qn, _options.AnswerTimeoutSeconds, attempt), token).ConfigureAwait(false);
        if (outcome == SendOutcome.Unanswered)
        {
            throw new TimeoutException($"no 9014 answer for QN {entry.Qn} after {_options.RetryCount + 1} sends");
        }

        return outcome == SendOutcome.Answered;
    }

    protected override async Task ReadAsync(NetworkStream stream, ChannelWriter<Hj212Message> requests, CancellationToken token)
    {
        var buffer = new byte[4096];
        var line = new List<byte>(256);
        var overlong = false;
        while (true)
        {
            var n = await stream.ReadAsync(buffer, token).ConfigureAwait(false);
            if (n == 0)
            {
                requests.TryComplete();
                FailAnswers();

                return;
            }

            for (var i = 0; i < n; i++)
            {
                line.Add(buffer[i]);
                if (line.Count >= 2 && line[^2] == '\r' && line[^1] == '\n')
                {
                    if (!overlong)
                    {
                        Handle(line.ToArray(), requests);
                    }

                    line.Clear();
                    overlong = false;
                }
                else if (line.Count > Hj212Parser.MaxFrameBytes + 2)
                {
                    // garbage without a line end: count it once and skip to the next CRLF
                    if (!overlong)
                    {
                        Interlocked.Increment(ref Counters.InvalidFrames);
                    }

                    overlong = true;
                    line.RemoveRange(0, line.Count - 1);
                }
            }
        }
    }

    private void Handle(byte[] frame, ChannelWriter<Hj212Message> requests)
    {
        if (!Hj212Parser.TryParse(frame, out var m, out var error))
        {
            Interlocked.Increment(ref Counters.InvalidFrames);
            Log.LogInformation("HJ 212 {Platform}: frame refused ({Error}): {Frame}", _platform.Name, error, Encoding.UTF8.GetString(frame, 0, Math.Min(frame.Length, 200)).TrimEnd());
            return;
        }

        if (m!.Cn == Hj212Cn.DataAnswer)
        {
            if (Answers.TryGetValue(m.Qn, out var answer))
            {
                answer.TrySetResult();
            }

            return;
        }

        if (Hj212Requests.IsRequest(m) && !requests.TryWrite(m))
        {
            Interlocked.Increment(ref Counters.Refused);
            Log.LogWarning("HJ 212 {Platform}: request CN {Cn} dropped, {Max} requests already waiting", _platform.Name, m.Cn, MaxWaitingRequests);
        }
    }

    protected override async Task AnswerAsync(ChannelReader<Hj212Message> requests, Func<byte[], CancellationToken, Task> writeBytes, CancellationToken token)
    {
        Task Write(string frame, CancellationToken t) => writeBytes(Encoding.UTF8.GetBytes(frame), t);
        await foreach (var m in requests.ReadAllAsync(token).ConfigureAwait(false))
        {
            try
            {
                await _requests.HandleAsync(m, Write, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not IOException)
            {
                Log.LogWarning(e, "HJ 212 {Platform}: request CN {Cn} QN {Qn} failed", _platform.Name, m.Cn, m.Qn);
                await Write(Hj212Composer.Reply(m, "91", Hj212Cn.ExecutionResult, "ExeRtn=" + Hj212Return.Failed), token).ConfigureAwait(false);
            }
        }
    }
}
