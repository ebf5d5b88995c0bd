using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Pms5003;
using IoTMonitor.Firmware.Core.Sensors.Sds011;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors;

/// <summary>The request/reply exchange the PMS5003 and SDS011 drivers share, with both real parsers.</summary>
public class UartFrameReaderTests
{
    private static readonly byte[] Request = [0x42, 0x4D, 0xE2, 0x00, 0x00, 0x01, 0x71];

    private static byte[] SdsFrame(byte command, int pm25Tenths)
    {
        var f = new byte[] { 0xAA, command, (byte)pm25Tenths, (byte)(pm25Tenths >> 8), 0, 0, 0x58, 0xD9, 0, 0xAB };
        f[8] = (byte)(f[2] + f[3] + f[4] + f[5] + f[6] + f[7]);
        return f;
    }

    [Fact]
    public void A_request_drops_stale_bytes_and_a_reply_split_across_polls_completes()
    {
        var uart = new FakeUart { ChunkSize = 3 };
        var clock = new FakeClock();
        var reader = new UartFrameReader(uart, clock, 1500);
        var parser = new Sds011FrameParser();
        Assert.Equal(ReadResult.NotReady, reader.Poll(parser)); // no exchange open

        uart.Feed(SdsFrame(0xC0, 999)); // a stale frame from before the request
        reader.Request(Request, Request.Length, parser);
        Assert.True(reader.Awaiting);
        Assert.Equal(1, uart.Discards);
        Assert.Equal(Request, uart.SentBytes());

        var reply = SdsFrame(0xC0, 123);
        uart.Feed(reply, 0, 5);
        Assert.Equal(ReadResult.NotReady, reader.Poll(parser));
        uart.Feed(reply, 5, 5);
        Assert.Equal(ReadResult.Ok, reader.Poll(parser));
        Assert.False(reader.Awaiting);
        Assert.Equal(123, parser.Pm25Tenths);
    }

    [Fact]
    public void An_acknowledgement_is_skipped_until_the_data_frame()
    {
        var uart = new FakeUart();
        var reader = new UartFrameReader(uart, new FakeClock(), 1500);
        var parser = new Sds011FrameParser();
        reader.Request(Request, Request.Length, parser);
        uart.Feed(SdsFrame(0xC5, 7));
        uart.Feed(SdsFrame(0xC0, 42));
        Assert.Equal(ReadResult.Ok, reader.Poll(parser));
        Assert.True(parser.IsData);
        Assert.Equal(42, parser.Pm25Tenths);
    }

    [Fact]
    public void Checksum_failure_silence_and_babble_end_or_bound_the_exchange()
    {
        var uart = new FakeUart();
        var clock = new FakeClock();
        var reader = new UartFrameReader(uart, clock, 1500);
        var parser = new Sds011FrameParser();

        reader.Request(Request, Request.Length, parser);
        var bad = SdsFrame(0xC0, 10);
        bad[8] ^= 0xFF;
        uart.Feed(bad);
        Assert.Equal(ReadResult.BadCrc, reader.Poll(parser));
        Assert.False(reader.Awaiting);

        reader.Request(Request, Request.Length, parser);
        clock.Advance(1500);
        Assert.Equal(ReadResult.NotReady, reader.Poll(parser));
        clock.Advance(1);
        Assert.Equal(ReadResult.NoResponse, reader.Poll(parser));

        reader.Request(Request, Request.Length, parser);
        uart.Feed(new byte[10_000]); // zeros never start a frame
        Assert.Equal(ReadResult.NotReady, reader.Poll(parser));
        Assert.Equal(10_000 - UartFrameReader.MaxBytesPerPoll, uart.Pending);

        reader.Cancel();
        Assert.False(reader.Awaiting);
        Assert.Equal(ReadResult.NotReady, reader.Poll(parser));
    }

    [Fact]
    public void A_caller_timed_reader_ends_on_a_refusal_and_times_out_on_the_elapsed_time_given()
    {
        var uart = new FakeUart();
        var reader = new UartFrameReader(uart, 512);
        var parser = new IoTMonitor.Firmware.Core.Sensors.Modbus.ModbusResponseParser();
        parser.Expect(1, 0x03, 1);
        Assert.Equal(ReadResult.NotReady, reader.Poll(parser, 0, 100)); // no exchange open

        reader.Request(Request, Request.Length, parser);
        var ex = new byte[] { 0x01, 0x83, 0x02, 0, 0 };
        IoTMonitor.Firmware.Core.Sensors.Modbus.ModbusCrc16.Append(ex, 0, 3);
        uart.Feed(ex);
        Assert.Equal(ReadResult.Fault, reader.Poll(parser, 0, 100));
        Assert.False(reader.Awaiting);

        reader.Request(Request, Request.Length, parser);
        Assert.Equal(ReadResult.NotReady, reader.Poll(parser, 100, 100));
        Assert.Equal(ReadResult.NotReady, reader.Poll(parser)); // no clock: only the caller times out
        Assert.Equal(ReadResult.NoResponse, reader.Poll(parser, 101, 100));
        Assert.False(reader.Awaiting);
    }

    [Fact]
    public void Polling_allocates_nothing()
    {
        var uart = new FakeUart();
        var clock = new FakeClock();
        var reader = new UartFrameReader(uart, clock, 1500);
        var parser = new Pms5003FrameParser();
        var frame = Pms5003.Pms5003Tests.VerifiedFrame;
        reader.Request(Request, Request.Length, parser);
        uart.Feed(frame);
        Assert.Equal(ReadResult.Ok, reader.Poll(parser));
        Assert.Equal(8, parser.Pm25Atmospheric);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            reader.Request(Request, Request.Length, parser);
            uart.Feed(frame);
            reader.Poll(parser);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
