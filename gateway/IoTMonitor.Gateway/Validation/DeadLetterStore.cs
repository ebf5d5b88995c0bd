using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;

namespace IoTMonitor.Gateway.Validation;

/// <summary>One refused message or reading.</summary>
public sealed record DeadLetter(DateTimeOffset Time, string Client, string Topic, string Reason, ReadOnlyMemory<byte> Payload, string? Detail = null);

/// <summary>
/// Bounded dead-letter store: JSON lines (time, client, topic, reason, detail, payload as base64)
/// appended by a background task, the file rotated at a size bound. <see cref="Add"/> never
/// blocks: when the queue is full the entry is counted in <see cref="Dropped"/> and discarded.
/// </summary>
public sealed class DeadLetterStore : IAsyncDisposable
{
    private readonly Channel<DeadLetter> _queue;
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly Task _pump;
    private long _added;
    private long _dropped;
    private long _written;
    private int _disposeOnce;

    public DeadLetterStore(string path, long maxBytes, int queueLength)
    {
        _path = path;
        _maxBytes = maxBytes;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _queue = Channel.CreateBounded<DeadLetter>(new BoundedChannelOptions(queueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>The most of a refused payload kept in its dead letter (64 KiB); the rest is cut off.</summary>
    public const int MaxKeptPayloadBytes = 65536;

    public string FilePath => _path;

    /// <summary>The part of a refused payload its dead letter keeps: the first <see cref="MaxKeptPayloadBytes"/>.</summary>
    public static byte[] Kept(ReadOnlySequence<byte> payload) =>
        payload.Length > MaxKeptPayloadBytes ? payload.Slice(0, MaxKeptPayloadBytes).ToArray() : payload.ToArray();

    public long Added => Interlocked.Read(ref _added);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Written => Interlocked.Read(ref _written);

    public void Add(DeadLetter entry)
    {
        Interlocked.Increment(ref _added);
        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Waits until every entry added so far is in the file (tests, shutdown).</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Written + Dropped < Added && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private async Task PumpAsync()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var count = 0;
            buffer.Clear();
            using (var json = new Utf8JsonWriter(buffer))
            {
                while (count < 1000 && _queue.Reader.TryRead(out var entry))
                {
                    json.Reset(buffer);
                    json.WriteStartObject();
                    json.WriteString("time", entry.Time.UtcDateTime.ToString("O"));
                    json.WriteString("client", entry.Client);
                    json.WriteString("topic", entry.Topic);
                    json.WriteString("reason", entry.Reason);
                    if (entry.Detail is not null)
                    {
                        json.WriteString("detail", entry.Detail);
                    }

                    json.WriteBase64String("payload", entry.Payload.Span);
                    json.WriteEndObject();
                    json.Flush();
                    buffer.GetSpan(1)[0] = (byte)'\n';
                    buffer.Advance(1);
                    count++;
                }
            }

            try
            {
                RotateIfNeeded(buffer.WrittenCount);
                await using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                await file.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
            }
            catch (IOException)
            {
                Interlocked.Add(ref _dropped, count);
                continue;
            }

            Interlocked.Add(ref _written, count);
        }
    }

    private void RotateIfNeeded(int incoming)
    {
        var info = new FileInfo(_path);
        if (info.Exists && info.Length + incoming > _maxBytes)
        {
            File.Move(_path, _path + ".1", overwrite: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // the lifecycle stops it, then the container disposes it again
        if (Interlocked.Exchange(ref _disposeOnce, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }
}
