using System.Text.Json;
using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Validation;

/// <summary>
/// Decodes and validates a protocol v1 telemetry payload (docs/protocol.md §3, §4, §8, §12) with a
/// forward-only <see cref="Utf8JsonReader"/>. Never throws for any input: every failure is a reason
/// code in <see cref="DecodeResult.Error"/> (whole batch) or <see cref="DecodeResult.Rejected"/>
/// (single readings).
/// </summary>
public sealed class TelemetryDecoder
{
    public const int MaxPayloadBytes = 8192;
    public const int MaxReadings = 200;
    public const long SyncedEpoch = 1_600_000_000;

    /// <summary>Deepest nesting of arrays and objects accepted (the batch itself needs 3); deeper is not_json.</summary>
    public const int MaxDepth = 16;

    private readonly long _allowedSkewSeconds;

    public TelemetryDecoder(long allowedSkewSeconds = 300) => _allowedSkewSeconds = allowedSkewSeconds;

    /// <summary>Decodes <paramref name="payload"/> received on <paramref name="topic"/> at <paramref name="nowUnixSeconds"/>.</summary>
    public void Decode(string topic, ReadOnlySpan<byte> payload, long nowUnixSeconds, DecodeResult result) =>
        Decode(TopicName.Parse(topic, out var site, out var device), site, device, payload, nowUnixSeconds, result);

    /// <summary>Decodes a payload whose topic the caller has already parsed (<see cref="TopicName.Parse"/>).</summary>
    public void Decode(TopicKind kind, string site, string device, ReadOnlySpan<byte> payload, long nowUnixSeconds, DecodeResult result)
    {
        result.Reset();
        if (kind != TopicKind.Telemetry)
        {
            result.Error = DecodeError.BadTopic;
            return;
        }

        result.Site = site;
        result.Device = device;
        if (payload.Length > MaxPayloadBytes)
        {
            result.Error = DecodeError.TooLarge;
            return;
        }

        if (!TryParse(payload, result, out var env) && NonFiniteLiterals.TryRewrite(payload, out var rewritten))
        {
            // bare NaN/Infinity are not JSON: read again with each one as a number too large for a
            // double, so only the readings carrying one are refused (not_finite), as §12 says
            result.Reset();
            result.Site = site;
            result.Device = device;
            TryParse(rewritten, result, out env);
        }

        if (result.Error is not null)
        {
            return;
        }

        var error = !env.HasV || env.V != 1 ? DecodeError.BadVersion
            : env.Duplicate is not null ? DecodeError.DuplicateKey
            : env.TypeError is not null ? DecodeError.BadType
            : !(env.HasFw && env.HasBoot && env.HasClk && env.HasH && env.HasR && env.HasBat && env.HasRssi && env.HasQd && env.HasDrop && env.HasRst) ? DecodeError.MissingField
            : env.ReadingCount is < 1 or > MaxReadings ? DecodeError.TooManyReadings
            : null;
        if (error is not null)
        {
            result.Error = error;
            result.ErrorDetail = error == DecodeError.DuplicateKey ? env.Duplicate
                : error == DecodeError.BadType ? env.TypeError
                : error == DecodeError.MissingField ? MissingKey(env)
                : error == DecodeError.TooManyReadings ? $"r has {env.ReadingCount} items"
                : null;
            result.Readings.Clear();
            result.Rejected.Clear();
            return;
        }

        ValidateTimes(result, nowUnixSeconds);
    }

    private static string MissingKey(in Envelope env) =>
        !env.HasFw ? "fw" : !env.HasBoot ? "boot" : !env.HasClk ? "clk" : !env.HasH ? "h" : !env.HasR ? "r"
        : !env.HasBat ? "h.bat" : !env.HasRssi ? "h.rssi" : !env.HasQd ? "h.qd" : !env.HasDrop ? "h.drop" : "h.rst";

    /// <summary>Reads the JSON; false (with <see cref="DecodeResult.Error"/> set to not_json) when it is not JSON.</summary>
    private static bool TryParse(ReadOnlySpan<byte> payload, DecodeResult result, out Envelope env)
    {
        env = default;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                result.Error = DecodeError.NotJson;
                result.ErrorDetail = "not an object";
                return false;
            }

            ParseEnvelope(ref reader, result, ref env);
            if (reader.Read())
            {
                // trailing content after the root object
                result.Error = DecodeError.NotJson;
                return false;
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            result.Error = DecodeError.NotJson;
            result.ErrorDetail = e.Message.Length <= 200 ? e.Message : e.Message[..200];
            return false;
        }
    }

    private void ValidateTimes(DecodeResult result, long now)
    {
        var synced = result.Clk >= SyncedEpoch;
        result.HealthTime = synced ? result.Clk : now;
        var readings = result.Readings;
        var write = 0;
        for (var i = 0; i < readings.Count; i++)
        {
            var r = readings[i];
            string? reason = null;
            if (!synced)
            {
                // §3: rebase the whole batch against the gateway clock
                r.T = now - (result.Clk - r.T);
                r.Flags |= (long)ReadingFlags.TimeEstimated;
            }
            else if (r.T < SyncedEpoch)
            {
                reason = DecodeError.UnsyncedTime;
            }

            if (reason is null && r.T > now + _allowedSkewSeconds)
            {
                reason = DecodeError.FutureTime;
            }

            if (reason is null)
            {
                readings[write++] = r;
            }
            else
            {
                result.Rejected.Add(new RejectedReading(r.Index, reason));
            }
        }

        readings.RemoveRange(write, readings.Count - write);
    }

    private struct Envelope
    {
        public bool HasV, HasFw, HasBoot, HasClk, HasCal, HasH, HasR, HasBat, HasRssi, HasQd, HasDrop, HasRst, HasPwr, HasEv, HasDrift, HasUnp, HasOp, HasAct, HasRsrp, HasIccid;
        public long V;
        public int ReadingCount;

        /// <summary>The first key with a wrong type or range (bad_type), named for the dead letter.</summary>
        public string? TypeError;

        /// <summary>The first known key that appeared twice (duplicate_key).</summary>
        public string? Duplicate;

        public void Bad(string key) => TypeError ??= key;

        /// <summary>Marks <paramref name="key"/> seen; a second sighting is a duplicate.</summary>
        public void See(ref bool has, string key)
        {
            if (has)
            {
                Duplicate ??= key;
            }

            has = true;
        }
    }

    private static void ParseEnvelope(ref Utf8JsonReader reader, DecodeResult result, ref Envelope env)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("v"u8))
            {
                reader.Read();
                env.See(ref env.HasV, "v");
                env.V = TryInt(ref reader, out var v) ? v : -1;
            }
            else if (reader.ValueTextEquals("fw"u8))
            {
                reader.Read();
                env.See(ref env.HasFw, "fw");
                if (TryShortString(ref reader, MaxFirmwareLength, out var fw))
                {
                    result.Fw = fw;
                }
                else
                {
                    env.Bad("fw");
                }
            }
            else if (reader.ValueTextEquals("boot"u8))
            {
                reader.Read();
                env.See(ref env.HasBoot, "boot");
                if (TryInt(ref reader, out var boot) && boot >= 0)
                {
                    result.Boot = boot;
                }
                else
                {
                    env.Bad("boot");
                }
            }
            else if (reader.ValueTextEquals("clk"u8))
            {
                reader.Read();
                env.See(ref env.HasClk, "clk");
                if (TryInt(ref reader, out var clk) && clk >= 0)
                {
                    result.Clk = clk;
                }
                else
                {
                    env.Bad("clk");
                }
            }
            else if (reader.ValueTextEquals("cal"u8))
            {
                reader.Read();
                env.See(ref env.HasCal, "cal");
                if (reader.TokenType == JsonTokenType.Null)
                {
                    result.Cal = null;
                }
                else if (TryShortString(ref reader, MaxCalibrationLength, out var cal))
                {
                    result.Cal = cal;
                }
                else
                {
                    env.Bad("cal");
                }
            }
            else if (reader.ValueTextEquals("h"u8))
            {
                reader.Read();
                env.See(ref env.HasH, "h");
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ParseHealth(ref reader, result, ref env);
                }
                else
                {
                    env.Bad("h");
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("r"u8))
            {
                reader.Read();
                env.See(ref env.HasR, "r");
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    // a second r would add its readings to the first's past the 200 limit: refused above
                    env.ReadingCount += ParseReadings(ref reader, result);
                }
                else
                {
                    env.Bad("r");
                    reader.Skip();
                }
            }
            else
            {
                // unknown key: ignored (§4)
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ParseHealth(ref Utf8JsonReader reader, DecodeResult result, ref Envelope env)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("bat"u8))
            {
                reader.Read();
                env.See(ref env.HasBat, "h.bat");
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var bat) && double.IsFinite(bat))
                {
                    result.Battery = bat;
                }
                else
                {
                    env.Bad("h.bat");
                }
            }
            else if (IsIntKey(ref reader, "rssi"u8, "h.rssi", ref env.HasRssi, ref env, long.MinValue, out var rssi))
            {
                result.Rssi = rssi;
            }
            else if (IsIntKey(ref reader, "qd"u8, "h.qd", ref env.HasQd, ref env, 0, out var qd))
            {
                result.QueueDepth = qd;
            }
            else if (IsIntKey(ref reader, "drop"u8, "h.drop", ref env.HasDrop, ref env, 0, out var drop))
            {
                result.Dropped = drop;
            }
            else if (IsIntKey(ref reader, "rst"u8, "h.rst", ref env.HasRst, ref env, 0, out var rst))
            {
                result.ResetReason = rst;
            }
            else if (IsIntKey(ref reader, "pwr"u8, "h.pwr", ref env.HasPwr, ref env, 0, out var pwr))
            {
                // optional (§4): the node's low-battery mode, absent = 0 (normal)
                result.PowerMode = pwr;
            }
            else if (IsIntKey(ref reader, "ev"u8, "h.ev", ref env.HasEv, ref env, 0, out var ev))
            {
                // optional (§4): 1 while the node is in event mode, absent = 0
                result.EventMode = ev;
            }
            else if (IsIntKey(ref reader, "drift"u8, "h.drift", ref env.HasDrift, ref env, long.MinValue, out var drift))
            {
                // optional (§4): RTC rate error at the node's last SNTP re-sync, ppm, any sign
                result.DriftPpm = drift;
            }
            else if (IsIntKey(ref reader, "unp"u8, "h.unp", ref env.HasUnp, ref env, 0, out var unp))
            {
                // optional (§4): readings the node could not place in time and discarded
                result.Unplaceable = unp;
            }
            else if (IsIntKey(ref reader, "act"u8, "h.act", ref env.HasAct, ref env, 0, out var act))
            {
                // optional (§4): a cellular node's access technology
                result.AccessTech = act;
            }
            else if (IsIntKey(ref reader, "rsrp"u8, "h.rsrp", ref env.HasRsrp, ref env, long.MinValue, out var rsrp))
            {
                // optional (§4): a cellular node's serving-cell RSRP, dBm
                result.Rsrp = rsrp;
            }
            else if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("op"u8))
            {
                // optional (§4): the operator name, ≤ 32 UTF-16 code units like the other short strings
                reader.Read();
                env.See(ref env.HasOp, "h.op");
                if (TryShortString(ref reader, MaxOperatorLength, out var op))
                {
                    result.Operator = op;
                }
                else
                {
                    env.Bad("h.op");
                }
            }
            else if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("iccid"u8))
            {
                // optional (§4): the SIM's ICCID, 18–22 digits (a trailing F pads odd lengths on some SIMs)
                reader.Read();
                env.See(ref env.HasIccid, "h.iccid");
                if (TryShortString(ref reader, 22, out var iccid) && IsIccid(iccid))
                {
                    result.Iccid = iccid;
                }
                else
                {
                    env.Bad("h.iccid");
                }
            }
            else if (reader.TokenType == JsonTokenType.PropertyName)
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>Longest operator name (<c>h.op</c>), UTF-16 code units (protocol §4).</summary>
    public const int MaxOperatorLength = 32;

    private static bool IsIccid(string s)
    {
        if (s.Length is < 18 or > 22)
        {
            return false;
        }

        for (var i = 0; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]) && !(i == s.Length - 1 && s[i] is 'F' or 'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>When positioned on property <paramref name="name"/>, reads its integer value.</summary>
    private static bool IsIntKey(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, string key, ref bool seen, ref Envelope env, long min, out long value)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(name))
        {
            return false;
        }

        reader.Read();
        env.See(ref seen, key);
        if (TryInt(ref reader, out value) && value >= min)
        {
            return true;
        }

        env.Bad(key);
        value = 0;
        return false;
    }

    /// <summary>Parses <c>r</c>; returns the number of array items (valid or not).</summary>
    private static int ParseReadings(ref Utf8JsonReader reader, DecodeResult result)
    {
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (index >= MaxReadings)
            {
                reader.Skip();
                index++;
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                result.Rejected.Add(new RejectedReading(index++, DecodeError.BadReading));
                continue;
            }

            var reason = ParseReading(ref reader, out var reading);
            if (reason is null)
            {
                reading.Index = index;
                result.Readings.Add(reading);
            }
            else
            {
                result.Rejected.Add(new RejectedReading(index, reason));
            }

            index++;
        }

        return index;
    }

    private static string? ParseReading(ref Utf8JsonReader reader, out Reading reading)
    {
        reading = default;
        string? structural = null;
        string? value = null;
        Quantity? quantity = null;
        var valueIsNull = false;
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (position)
            {
                case 0:
                    if (!TryInt(ref reader, out reading.N) || reading.N < 1)
                    {
                        structural ??= DecodeError.BadReading;
                    }

                    break;
                case 1:
                    if (!TryInt(ref reader, out reading.T) || reading.T < 0)
                    {
                        structural ??= DecodeError.BadReading;
                    }

                    break;
                case 2:
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        structural ??= DecodeError.BadReading;
                        break;
                    }

                    quantity = FindQuantity(ref reader);

                    if (quantity is null)
                    {
                        value ??= DecodeError.UnknownQuantity;
                    }

                    break;
                case 3:
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        valueIsNull = true;
                    }
                    else if (reader.TokenType != JsonTokenType.Number)
                    {
                        structural ??= DecodeError.BadReading;
                    }
                    else if (reader.TryGetDouble(out var v) && double.IsFinite(v))
                    {
                        reading.Value = v;
                    }
                    else
                    {
                        value ??= DecodeError.NotFinite;
                    }

                    break;
                case 4:
                    if (!TryInt(ref reader, out reading.Flags) || reading.Flags < 0)
                    {
                        structural ??= DecodeError.BadReading;
                    }

                    break;
                case 5:
                    if (reader.TokenType != JsonTokenType.Number)
                    {
                        structural ??= DecodeError.BadReading;
                    }
                    else if (reader.TryGetDouble(out var raw) && double.IsFinite(raw))
                    {
                        reading.Raw = raw;
                    }
                    else
                    {
                        value ??= DecodeError.NotFinite;
                    }

                    break;
                default:
                    structural ??= DecodeError.BadReading;
                    break;
            }

            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
            {
                reader.Skip();
                structural ??= DecodeError.BadReading;
            }

            position++;
        }

        if (position < 5)
        {
            structural ??= DecodeError.BadReading;
        }

        if (structural is not null)
        {
            return structural;
        }

        if (value is not null)
        {
            return value;
        }

        reading.Quantity = quantity!;
        var noValue = (reading.Flags & (long)ReadingFlags.NoValue) != 0;
        if (valueIsNull)
        {
            return noValue ? null : DecodeError.NullWithoutFlag;
        }

        return reading.Quantity.IsPlausible(reading.Value!.Value) ? null : DecodeError.ImplausibleValue;
    }

    /// <summary>An integer in any JSON number form (1, 1.0, 1e0) that fits a long.</summary>
    private static bool TryInt(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.Number)
        {
            return false;
        }

        if (reader.TryGetInt64(out value))
        {
            return true;
        }

        if (reader.TryGetDouble(out var d) && double.IsFinite(d) && Math.Floor(d) == d && d >= -9.0e15 && d <= 9.0e15)
        {
            value = (long)d;
            return true;
        }

        return false;
    }

    /// <summary>Longest <c>fw</c>, in UTF-16 code units (as .NET and the firmware's string.Length count).</summary>
    public const int MaxFirmwareLength = 16;

    /// <summary>Longest <c>cal</c>, in UTF-16 code units.</summary>
    public const int MaxCalibrationLength = 32;

    private static bool TryShortString(ref Utf8JsonReader reader, int maxLength, out string value)
    {
        value = string.Empty;
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > maxLength * 6)
        {
            return false;
        }

        var s = reader.GetString()!;
        if (s.Length > maxLength)
        {
            return false;
        }

        // control characters (tab, newline) are accepted as sent: the firmware escapes them on the
        // wire (\u0009), and the line protocol writer stores each as a space (§4, §9)
        value = s;
        return true;
    }

    // Every reading names its quantity: look it up without allocating a string for the code.
    private static Quantity? FindQuantity(ref Utf8JsonReader reader)
    {
        const int Longest = 32;
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > Longest)
        {
            return Quantities.Find(reader.GetString());
        }

        Span<char> code = stackalloc char[Longest];
        return System.Text.Encoding.UTF8.TryGetChars(reader.ValueSpan, code, out var length) ? Quantities.Find(code[..length]) : null;
    }
}
