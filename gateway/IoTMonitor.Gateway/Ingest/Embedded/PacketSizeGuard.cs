namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// A client's byte stream as the broker reads it, with MQTT's framing followed on the way: each packet
/// starts with a byte of type and flags, then its remaining length as a variable byte integer of one to
/// four bytes, 7 bits each, least significant first (MQTT 3.1.1 §2.2.3, MQTT 5.0 §1.5.5). MQTTnet 5.2
/// allocates a packet's whole body from that length before reading it (MqttChannelAdapter.ReceiveAsync),
/// so the read that would complete a length over the limit fails instead, and the connection closes
/// without the allocation. The body bytes are only counted, never inspected. The end of the first packet
/// (a client's CONNECT) is reported to <paramref name="firstPacket"/>, which ends its wait at the <see cref="ConnectGate"/>.
/// </summary>
internal sealed class PacketSizeGuard(Stream inner, int maxRemainingLength, Action<long> tooLarge, Action firstPacket) : Stream
{
    private const int TypeNext = 0;
    private const int LengthNext = 1;
    private const int InBody = 2;

    private int _state = TypeNext;
    private long _length;
    private int _shift;
    private long _bodyLeft;
    private bool _firstDone;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Follow(buffer.AsSpan(offset, n));
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Follow(buffer.Span[..n]);
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    private void Follow(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case TypeNext:
                    i++;
                    _length = 0;
                    _shift = 0;
                    _state = LengthNext;
                    break;
                case LengthNext:
                    var b = bytes[i++];
                    _length |= (long)(b & 0x7F) << _shift;
                    _shift += 7;
                    if ((b & 0x80) != 0)
                    {
                        if (_shift >= 28)
                        {
                            // a fifth length byte: malformed (the spec's limit), MQTTnet would refuse it too
                            throw new IOException("MQTT remaining length longer than four bytes");
                        }

                        break;
                    }

                    if (_length > maxRemainingLength)
                    {
                        tooLarge(_length);
                        throw new IOException($"MQTT packet announces {_length} bytes, over the limit of {maxRemainingLength}");
                    }

                    _bodyLeft = _length;
                    _state = InBody;
                    if (_bodyLeft == 0)
                    {
                        PacketEnded();
                    }

                    break;
                default:
                    var take = (int)Math.Min(_bodyLeft, bytes.Length - i);
                    i += take;
                    _bodyLeft -= take;
                    if (_bodyLeft == 0)
                    {
                        PacketEnded();
                    }

                    break;
            }
        }
    }

    private void PacketEnded()
    {
        _state = TypeNext;
        if (!_firstDone)
        {
            _firstDone = true;
            firstPacket();
        }
    }
}
