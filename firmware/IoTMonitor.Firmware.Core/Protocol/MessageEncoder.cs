using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>
    /// Status, config/ack and cmd/ack messages (docs/protocol.md §5–7), written into a caller's
    /// buffer. Each method returns the length, or -1 when the buffer is too small.
    /// </summary>
    public sealed class MessageEncoder
    {
        private readonly Utf8Writer _w = new Utf8Writer();

        /// <summary>1 while the node is in event mode: the online status then carries <c>"ev":1</c> (protocol §5).</summary>
        public int EventMode;

        /// <summary><c>{"v":1,"state":"online","fw":…,"boot":…,"cfg":"xxxxxxxx","wake":…,"rst":…,"cfgErr":…,"clk":…}</c></summary>
        public int Online(string fw, int boot, uint cfgHash, int wakeSec, int resetReason, int cfgErr, long clock, byte[] buffer)
        {
            return Online(fw, boot, cfgHash, wakeSec, resetReason, cfgErr, clock, 0, buffer);
        }

        /// <summary>
        /// The online status of a node in service mode: as above plus <c>"svc":…</c>, the epoch second
        /// the hold ends (omitted when <paramref name="serviceUntil"/> is 0).
        /// </summary>
        public int Online(string fw, int boot, uint cfgHash, int wakeSec, int resetReason, int cfgErr, long clock, long serviceUntil, byte[] buffer)
        {
            Utf8Writer w = Begin(buffer);
            w.Ascii("{\"v\":1,\"state\":\"online\",\"fw\":");
            w.String(fw);
            w.Ascii(",\"boot\":");
            w.Int(boot);
            w.Ascii(",\"cfg\":\"");
            for (int shift = 28; shift >= 0; shift -= 4)
            {
                int d = (int)((cfgHash >> shift) & 0xF);
                w.Byte((char)(d < 10 ? '0' + d : 'a' + d - 10));
            }

            w.Ascii("\",\"wake\":");
            w.Int(wakeSec);
            w.Ascii(",\"rst\":");
            w.Int(resetReason);
            w.Ascii(",\"cfgErr\":");
            w.Int(cfgErr);
            w.Ascii(",\"clk\":");
            w.Int(clock);
            if (serviceUntil > 0)
            {
                w.Ascii(",\"svc\":");
                w.Int(serviceUntil);
            }

            if (EventMode != 0)
            {
                w.Ascii(",\"ev\":");
                w.Int(EventMode);
            }

            w.Byte('}');
            return End(w);
        }

        /// <summary><c>{"v":1,"state":"sleeping","next":…,"clk":…}</c></summary>
        public int Sleeping(long next, long clock, byte[] buffer)
        {
            Utf8Writer w = Begin(buffer);
            w.Ascii("{\"v\":1,\"state\":\"sleeping\",\"next\":");
            w.Int(next);
            w.Ascii(",\"clk\":");
            w.Int(clock);
            w.Byte('}');
            return End(w);
        }

        /// <summary>The last will: <c>{"v":1,"state":"lost"}</c>.</summary>
        public static byte[] Lost()
        {
            return Utf8.GetBytes("{\"v\":1,\"state\":\"lost\"}");
        }

        /// <summary><c>{"v":1,"rev":…,"ok":…,"err":…}</c></summary>
        public int ConfigAck(int rev, int err, byte[] buffer)
        {
            Utf8Writer w = Begin(buffer);
            w.Ascii("{\"v\":1,\"rev\":");
            w.Int(rev);
            w.Ascii(",\"ok\":");
            w.Bool(err == 0);
            w.Ascii(",\"err\":");
            w.Int(err);
            w.Byte('}');
            return End(w);
        }

        /// <summary><c>{"v":1,"id":…,"ok":…,"err":…}</c></summary>
        public int CommandAck(string id, int err, byte[] buffer)
        {
            Utf8Writer w = Begin(buffer);
            w.Ascii("{\"v\":1,\"id\":");
            w.String(id == null ? "" : id);
            w.Ascii(",\"ok\":");
            w.Bool(err == 0);
            w.Ascii(",\"err\":");
            w.Int(err);
            w.Byte('}');
            return End(w);
        }

        private Utf8Writer Begin(byte[] buffer)
        {
            _w.Reset(buffer, 0, buffer.Length);
            return _w;
        }

        private static int End(Utf8Writer w)
        {
            return w.Overflow ? -1 : w.Length;
        }
    }
}
