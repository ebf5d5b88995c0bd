using System.Collections.Concurrent;
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
public sealed class Hj212Link : IPlatformLink
{
    private readonly Hj212Platform _platform;
    private readonly ForwardingOutbox _outbox;
    private readonly Hj212Options _options;
    private readonly Hj212Requests _requests;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _answers = new(StringComparer.Ordinal);
    private readonly PlatformConnection _connection;

    public Hj212Link(Hj212Platform platform, ForwardingOutbox outbox, Hj212Options options, Hj212Requests requests, ForwardingCounters counters, TimeProvider clock, ILogger log)
    {
        _platform = platform;
        _outbox = outbox;
        _options = options;
        _requests = requests;
        Counters = counters;
        _clock = clock;
        _log = log;
        _connection = new PlatformConnection("HJ 212", platform.Name, platform.Host, platform.Port, options.ReconnectSeconds, counters, log, SessionAsync);
    }

    public ForwardingCounters Counters { get; }

    public bool Connected => _connection.Connected;

    public string? LastError => _connection.LastError;

    public DateTimeOffset? LastAnswerAt { get; private set; }

    public void Start() => _connection.Start();

    /// <summary>Something was queued: send now instead of at the next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async Task SessionAsync(NetworkStream stream, Func<byte[], CancellationToken, Task> writeBytes, CancellationToken stop)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Task Write(string frame, CancellationToken token) => writeBytes(Encoding.UTF8.GetBytes(frame), token);
        var requests = Channel.CreateBounded<Hj212Message>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropWrite });
        var reader = Task.Run(() => ReadAsync(stream, requests.Writer, connection.Token), CancellationToken.None);
        var answering = Task.Run(() => AnswerAsync(requests.Reader, Write, connection.Token), CancellationToken.None);
        try
        {
            await SendAsync(Write, reader, connection.Token).ConfigureAwait(false);
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
            stream.Close();
            await Task.WhenAll(reader.ContinueWith(_ => { }, TaskScheduler.Default), answering.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
            foreach (var pending in _answers.Values)
            {
                pending.TrySetCanceled(CancellationToken.None);
            }

            _answers.Clear();
        }
    }

    private async Task SendAsync(Func<string, CancellationToken, Task> write, Task reader, CancellationToken token)
    {
        while (true)
        {
            if (reader.IsCompleted)
            {
                await reader.ConfigureAwait(false);
                throw new IOException("the platform closed the connection");
            }

            var batch = _outbox.NextPending(32);
            if (batch.Count == 0)
            {
                await Task.WhenAny(_wake.WaitAsync(TimeSpan.FromSeconds(1), token), reader).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
                continue;
            }

            foreach (var entry in batch)
            {
                await SendOneAsync(entry, write, token).ConfigureAwait(false);
            }
        }
    }

    private async Task SendOneAsync(ForwardingOutboxEntry entry, Func<string, CancellationToken, Task> write, CancellationToken token)
    {
        var wantsAnswer = Hj212Parser.TryParse(Encoding.UTF8.GetBytes(entry.Frame), out var parsed, out _) && parsed!.AnswerRequired;
        for (var attempt = 0; attempt <= _options.RetryCount; attempt++)
        {
            var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (wantsAnswer)
            {
                _answers[entry.Qn] = answer;
            }

            if (attempt > 0 || entry.Attempts > 0)
            {
                Interlocked.Increment(ref Counters.Resent);
            }

            _outbox.RecordAttempt(entry.Id);
            await write(entry.Frame, token).ConfigureAwait(false);
            Interlocked.Increment(ref Counters.Sent);
            if (!wantsAnswer)
            {
                _outbox.MarkDone(entry.Id, false, _clock.GetUtcNow());
                return;
            }

            try
            {
                await answer.Task.WaitAsync(TimeSpan.FromSeconds(_options.AnswerTimeoutSeconds), token).ConfigureAwait(false);
                _outbox.MarkDone(entry.Id, true, _clock.GetUtcNow());
                Interlocked.Increment(ref Counters.Answered);
                LastAnswerAt = _clock.GetUtcNow();
                return;
            }
            catch (TimeoutException)
            {
                _log.LogInformation("HJ 212 {Platform}: no 9014 for QN {Qn} within {Seconds} s (attempt {Attempt})", _platform.Name, entry.Qn, _options.AnswerTimeoutSeconds, attempt + 1);
            }
            finally
            {
                _answers.TryRemove(entry.Qn, out _);
            }
        }

        throw new TimeoutException($"no 9014 answer for QN {entry.Qn} after {_options.RetryCount + 1} sends");
    }

    private async Task ReadAsync(NetworkStream stream, ChannelWriter<Hj212Message> requests, CancellationToken token)
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
                foreach (var pending in _answers.Values)
                {
                    pending.TrySetException(new IOException("the platform closed the connection"));
                }

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
            _log.LogInformation("HJ 212 {Platform}: frame refused ({Error}): {Frame}", _platform.Name, error, Encoding.UTF8.GetString(frame, 0, Math.Min(frame.Length, 200)).TrimEnd());
            return;
        }

        if (m!.Cn == Hj212Cn.DataAnswer)
        {
            if (_answers.TryGetValue(m.Qn, out var answer))
            {
                answer.TrySetResult();
            }

            return;
        }

        if (Hj212Requests.IsRequest(m) && !requests.TryWrite(m))
        {
            Interlocked.Increment(ref Counters.Refused);
            _log.LogWarning("HJ 212 {Platform}: request CN {Cn} dropped, 16 requests already waiting", _platform.Name, m.Cn);
        }
    }

    private async Task AnswerAsync(ChannelReader<Hj212Message> requests, Func<string, CancellationToken, Task> write, CancellationToken token)
    {
        await foreach (var m in requests.ReadAllAsync(token).ConfigureAwait(false))
        {
            try
            {
                await _requests.HandleAsync(m, write, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not IOException)
            {
                _log.LogWarning(e, "HJ 212 {Platform}: request CN {Cn} QN {Qn} failed", _platform.Name, m.Cn, m.Qn);
                await write(Hj212Composer.Reply(m, "91", Hj212Cn.ExecutionResult, "ExeRtn=" + Hj212Return.Failed), token).ConfigureAwait(false);
            }
        }
    }
}
