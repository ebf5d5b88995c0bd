using IoTMonitor.Gateway.Ingest.Embedded;

namespace IoTMonitor.Gateway.Tests.Ingest;

/// <summary>
/// The guard follows MQTT framing (MQTT 3.1.1 §2.2.3: remaining length as 1–4 bytes of 7 bits, least
/// significant first; the spec's own examples 127 = 0x7F, 128 = 0x80 0x01, 16,383 = 0xFF 0x7F,
/// 2,097,152 = 0x80 0x80 0x80 0x01) whatever way TCP splits the stream.
/// </summary>
public sealed class PacketSizeGuardTests
{
    private const int Limit = 16_384;

    private static byte[] Packet(byte type, int bodyLength)
    {
        var header = new List<byte> { type };
        var n = bodyLength;
        do
        {
            var b = (byte)(n % 128);
            n /= 128;
            header.Add(n > 0 ? (byte)(b | 0x80) : b);
        }
        while (n > 0);

        return [.. header, .. new byte[bodyLength]];
    }

    /// <summary>Reads the whole stream through a guard in reads of <paramref name="chunk"/> bytes; returns the bytes read before it threw (or all), and the announced size it reported.</summary>
    private static (int Read, long? TooLarge) ReadAll(byte[] bytes, int chunk)
    {
        long? reported = null;
        using var guard = new PacketSizeGuard(new MemoryStream(bytes), Limit, n => reported = n, () => { });
        var buffer = new byte[chunk];
        var total = 0;
        try
        {
            int n;
            while ((n = guard.Read(buffer, 0, chunk)) > 0)
            {
                total += n;
            }
        }
        catch (IOException)
        {
        }

        return (total, reported);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Packets_up_to_the_limit_pass_in_any_split(int chunk)
    {
        byte[] stream = [.. Packet(0x10, 127), .. Packet(0x30, 128), .. Packet(0xC0, 0), .. Packet(0x30, Limit), .. Packet(0x40, 2)];
        var (read, tooLarge) = ReadAll(stream, chunk);
        Assert.Equal(stream.Length, read);
        Assert.Null(tooLarge);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4096)]
    public void The_first_packet_over_the_limit_fails_before_its_body(int chunk)
    {
        var ok = Packet(0x30, 200);
        byte[] stream = [.. ok, .. Packet(0x30, 2_097_152)];
        var (read, tooLarge) = ReadAll(stream, chunk);
        Assert.Equal(2_097_152, tooLarge);

        // the read that brought the last length byte threw: nothing of the big body was returned
        Assert.True(read <= ok.Length + 4, $"{read} bytes returned");
    }

    [Fact]
    public void The_spec_encodings_decode_to_their_values()
    {
        Assert.Equal([0x80, 0x01], Packet(0x30, 128)[1..3]);
        Assert.Equal([0xFF, 0x7F], Packet(0x30, 16_383)[1..3]);
        Assert.Equal([0x80, 0x80, 0x80, 0x01], Packet(0x30, 2_097_152)[1..5]);
        Assert.Null(ReadAll(Packet(0x30, 16_383), 3).TooLarge);
        Assert.Equal(16_385, ReadAll(Packet(0x30, 16_385), 3).TooLarge);
    }

    [Fact]
    public void A_fifth_length_byte_is_refused()
    {
        byte[] malformed = [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        Assert.Throws<IOException>(() =>
        {
            using var guard = new PacketSizeGuard(new MemoryStream(malformed), int.MaxValue, _ => { }, () => { });
            guard.ReadExactly(new byte[6]);
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public void The_end_of_the_first_packet_is_reported_once_with_its_last_byte(int chunk)
    {
        var first = Packet(0x10, 16);
        byte[] stream = [.. first, .. Packet(0x30, 20), .. Packet(0xC0, 0)];
        var reports = 0;
        var total = 0;
        using var guard = new PacketSizeGuard(new MemoryStream(stream), Limit, _ => { }, () => reports++);
        var buffer = new byte[chunk];
        int n;
        while ((n = guard.Read(buffer, 0, chunk)) > 0)
        {
            total += n;
            Assert.Equal(total >= first.Length ? 1 : 0, reports);
        }

        Assert.Equal(stream.Length, total);
    }
}
