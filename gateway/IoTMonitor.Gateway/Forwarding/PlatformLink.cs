using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding;

/// <summary>
/// What the HJ 212 and SL 651 links share on one platform's connection (<see cref="PlatformConnection"/>
/// connects and reconnects): per session a reader of what the platform sends, an answerer of its
/// requests (at most 16 waiting) and the protocol's sender of the outbox, all ended together; the
/// answers the sender waits for, by the protocol's key; and sending a stored frame again until it is
/// answered or the retries are spent.
/// </summary>
/// <typeparam name="TKey">what tells the platform's answer to one frame (HJ 212: the QN)</typeparam>
/// <typeparam name="TRequest">a request as the reader parsed it</typeparam>
public abstract class PlatformLink<TKey, TRequest> : IPlatformLink
    where TKey : notnull
{
    /// <summary>Requests of the platform waiting for an answer; more are dropped and counted as refused.</summary>
    protected const int MaxWaitingRequests = 16;

    private readonly SemaphoreSlim _wake = new(0);
    private readonly PlatformConnection _connection;

    protected PlatformLink(string title, string name, string host, int port, int reconnectSeconds, IForwardingOutbox outbox, ForwardingCounters counters, TimeProvider clock, ILogger log)
    {
        Outbox = outbox;
        Counters = counters;
        Clock = clock;
        Log = log;
        _connection = new PlatformConnection(title, name, host, port, reconnectSeconds, counters, log, SessionAsync);
    }

    public ForwardingCounters Counters { get; }

    public bool Connected => _connection.Connected;

    public string? LastError => _connection.LastError;

    public DateTimeOffset? LastAnswerAt { get; private set; }

    protected IForwardingOutbox Outbox { get; }

    protected TimeProvider Clock { get; }

    protected ILogger Log { get; }

    /// <summary>The answers the sender waits for; the reader completes them.</summary>
    protected ConcurrentDictionary<TKey, TaskCompletionSource> Answers { get; } = new();

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

    /// <summary>Reads what the platform sends until it closes: answers into <see cref="Answers"/>, requests into <paramref name="requests"/>.</summary>
    protected abstract Task ReadAsync(NetworkStream stream, ChannelWriter<TRequest> requests, CancellationToken token);

    /// <summary>Answers the platform's requests one at a time.</summary>
    protected abstract Task AnswerAsync(ChannelReader<TRequest> requests, Func<byte[], CancellationToken, Task> write, CancellationToken token);

    /// <summary>Sends the outbox until the connection fails; <paramref name="reader"/> ends when the platform closes.</summary>
    protected abstract Task SendAsync(Func<byte[], CancellationToken, Task> write, Task reader, CancellationToken token);

    /// <summary>Waits up to a second for <see cref="Wake"/>, or less if the platform closed.</summary>
    protected Task IdleAsync(Task reader, CancellationToken token) => Task.WhenAny(_wake.WaitAsync(TimeSpan.FromSeconds(1), token), reader);

    /// <summary>Throws when the reader ended: the platform closed the connection.</summary>
    protected static async Task ThrowIfClosedAsync(Task reader)
    {
        if (reader.IsCompleted)
        {
            await reader.ConfigureAwait(false);
            throw new IOException("the platform closed the connection");
        }
    }

    /// <summary>The platform closed: every waiting send fails now rather than at its timeout.</summary>
    protected void FailAnswers()
    {
        foreach (var pending in Answers.Values)
        {
            pending.TrySetException(new IOException("the platform closed the connection"));
        }
    }

    /// <summary>
    /// Writes a stored frame, waits <paramref name="timeoutSeconds"/> for the answer with
    /// <paramref name="key"/>, and writes it again up to <paramref name="retries"/> times; marks the
    /// entry done when answered. <see cref="SendOutcome.Unanswered"/> when no answer came (the entry
    /// stays first in the outbox); <see cref="SendOutcome.NotOurs"/> when the outbox refused an attempt
    /// (another replica holds the platform, or finished the entry): nothing more is written.
    /// </summary>
    protected async Task<SendOutcome> SendUntilAnsweredAsync(ForwardingOutboxEntry entry, TKey key, Func<CancellationToken, Task> write, int retries, int timeoutSeconds, Action<int> missed, CancellationToken token)
    {
        for (var attempt = 0; attempt <= retries; attempt++)
        {
            var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Answers[key] = answer;
            if (attempt > 0 || entry.Attempts > 0)
            {
                Interlocked.Increment(ref Counters.Resent);
            }

            if (!Outbox.BeginAttempt(entry.Id))
            {
                return SendOutcome.NotOurs;
            }

            await write(token).ConfigureAwait(false);
            Interlocked.Increment(ref Counters.Sent);
            try
            {
                await answer.Task.WaitAsync(TimeSpan.FromSeconds(timeoutSeconds), token).ConfigureAwait(false);
                Outbox.MarkDone(entry.Id, true, Clock.GetUtcNow());
                Interlocked.Increment(ref Counters.Answered);
                LastAnswerAt = Clock.GetUtcNow();
                return SendOutcome.Answered;
            }
            catch (TimeoutException)
            {
                missed(attempt + 1);
            }
            finally
            {
                Answers.TryRemove(key, out _);
            }
        }

        return SendOutcome.Unanswered;
    }

    private async Task SessionAsync(NetworkStream stream, Func<byte[], CancellationToken, Task> write, CancellationToken stop)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var requests = Channel.CreateBounded<TRequest>(new BoundedChannelOptions(MaxWaitingRequests) { FullMode = BoundedChannelFullMode.DropWrite });
        var reader = Task.Run(() => ReadAsync(stream, requests.Writer, connection.Token), CancellationToken.None);
        var answering = Task.Run(() => AnswerAsync(requests.Reader, write, connection.Token), CancellationToken.None);
        try
        {
            await SendAsync(write, reader, connection.Token).ConfigureAwait(false);
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
            stream.Close();
            await Task.WhenAll(reader.ContinueWith(_ => { }, TaskScheduler.Default), answering.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
            foreach (var pending in Answers.Values)
            {
                pending.TrySetCanceled(CancellationToken.None);
            }

            Answers.Clear();
        }
    }
}

/// <summary>How sending one stored frame ended.</summary>
public enum SendOutcome
{
    Answered,
    Unanswered,

    /// <summary>The outbox refused the attempt: another replica holds the platform or finished the entry.</summary>
    NotOurs,
}
