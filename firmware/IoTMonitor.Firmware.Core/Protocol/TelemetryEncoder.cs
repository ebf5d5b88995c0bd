using IoTMonitor.Firmware.Core.Numerics;
using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>
    /// Encodes a telemetry batch (docs/protocol.md §4) as compact UTF-8 JSON into a caller-provided
    /// buffer, byte for byte as the golden vectors in tests/vectors/telemetry expect. Allocates
    /// nothing; reuse one instance.
    /// </summary>
    public sealed class TelemetryEncoder
    {
        private readonly Utf8Writer _w = new Utf8Writer();
        private int _fitted;

        /// <summary>
        /// Readings that were written completely by the last <see cref="Encode"/> call before the
        /// buffer ran out (equals the count on success). Lets the caller retry with fewer.
        /// </summary>
        public int Fitted
        {
            get { return _fitted; }
        }

        // Optional (protocol §4), a cellular node's network: each key only when the link knows it.
        private static void WriteNetwork(Utf8Writer w, TelemetryHeader header)
        {
            NetworkReport net = header.Network;
            if (net == null)
            {
                return;
            }

            if (net.Operator != null && net.Operator.Length > 0)
            {
                w.Ascii(",\"op\":");
                w.String(net.Operator.Length > NetworkReport.MaxOperator ? net.Operator.Substring(0, NetworkReport.MaxOperator) : net.Operator);
            }

            if (net.AccessTech >= 0)
            {
                w.Ascii(",\"act\":");
                w.Int(net.AccessTech);
            }

            if (net.RsrpDbm != 0)
            {
                w.Ascii(",\"rsrp\":");
                w.Int(net.RsrpDbm);
            }

            if (net.PowerMode >= 0)
            {
                w.Ascii(",\"mpm\":");
                w.Int(net.PowerMode);
            }

            if (net.BatteryCutoffs > 0)
            {
                w.Ascii(",\"mlb\":");
                w.Int(net.BatteryCutoffs);
            }

            if (header.SendIccid && net.Iccid != null && net.Iccid.Length > 0)
            {
                w.Ascii(",\"iccid\":");
                w.String(net.Iccid);
            }
        }

        /// <summary>
        /// Writes the batch <paramref name="readings"/>[<paramref name="start"/> ..
        /// <paramref name="start"/>+<paramref name="count"/>) into <paramref name="output"/> from
        /// <paramref name="offset"/>, using at most <paramref name="capacity"/> bytes. Returns the
        /// payload length, or -1 when it does not fit (see <see cref="Fitted"/>) or count is 0.
        /// Non-finite values are sent as null with NO_VALUE; a non-finite raw is left out.
        /// </summary>
        public int Encode(TelemetryHeader header, Reading[] readings, int start, int count, byte[] output, int offset, int capacity)
        {
            _fitted = 0;
            if (count <= 0)
            {
                return -1;
            }

            Utf8Writer w = _w;
            w.Reset(output, offset, capacity);
            w.Ascii("{\"v\":1,\"fw\":");
            w.String(header.Firmware);
            w.Ascii(",\"boot\":");
            w.Int(header.Boot);
            w.Ascii(",\"clk\":");
            w.Int(header.Clock);
            if (header.CalibrationId != null)
            {
                w.Ascii(",\"cal\":");
                w.String(header.CalibrationId);
            }

            w.Ascii(",\"h\":{\"bat\":");
            w.Fixed(FMath.IsFinite(header.Battery) ? header.Battery : 0, Quantities.BatteryDecimals);
            w.Ascii(",\"rssi\":");
            w.Int(header.Rssi);
            w.Ascii(",\"qd\":");
            w.Int(header.Queued);
            w.Ascii(",\"drop\":");
            w.Int(header.Dropped);
            w.Ascii(",\"rst\":");
            w.Int(header.ResetReason);
            if (header.PowerMode != 0)
            {
                // optional (protocol §4): a v1 decoder that does not know it ignores it
                w.Ascii(",\"pwr\":");
                w.Int(header.PowerMode);
            }

            if (header.EventMode != 0)
            {
                w.Ascii(",\"ev\":");
                w.Int(header.EventMode);
            }

            if (header.DriftPpm != 0)
            {
                w.Ascii(",\"drift\":");
                w.Int(header.DriftPpm);
            }

            if (header.Unplaceable > 0)
            {
                w.Ascii(",\"unp\":");
                w.Int(header.Unplaceable);
            }

            WriteNetwork(w, header);

            w.Ascii("},\"r\":[");
            for (int i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    w.Byte(',');
                }

                WriteReading(w, ref readings[start + i]);
                if (w.Overflow)
                {
                    return -1;
                }

                _fitted = i + 1;
            }

            w.Ascii("]}");
            if (w.Overflow)
            {
                // Only the closing bytes were missing: the last reading does not really fit.
                _fitted = count - 1;
                return -1;
            }

            return w.Length;
        }

        private static void WriteReading(Utf8Writer w, ref Reading r)
        {
            int flags = r.Flags;
            bool hasValue = (flags & QualityFlags.NoValue) == 0 && FMath.IsFinite(r.Value);
            if (!hasValue)
            {
                flags |= QualityFlags.NoValue;
            }

            w.Byte('[');
            w.Int(r.Seq);
            w.Byte(',');
            w.Int(r.Time);
            w.Ascii(",\"");
            w.Ascii(Quantities.Code(r.Quantity));
            w.Ascii("\",");
            if (hasValue)
            {
                w.Fixed(r.Value, Quantities.Decimals(r.Quantity));
            }
            else
            {
                w.Ascii("null");
            }

            w.Byte(',');
            w.Int(flags);
            if (r.HasRaw && FMath.IsFinite(r.Raw))
            {
                w.Byte(',');
                w.Fixed(r.Raw, Quantities.RawDecimals);
            }

            w.Byte(']');
        }
    }
}
