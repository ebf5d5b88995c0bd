using System.Text.Json;

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

    private readonly long _allowedSkewSeconds;

    public TelemetryDecoder(long allowedSkewSeconds = 300) => _allowedSkewSeconds = allowedSkewSeconds;

    /// <summary>Decodes <paramref name="payload"/> received on <paramref name="topic"/> at <paramref name="nowUnixSeconds"/>.</summary>
    public void Decode(string topic, ReadOnlySpan<byte> payload, long nowUnixSeconds, DecodeResult result)
    {
        result.Reset();
        if (TopicName.Parse(topic, out var site, out var device) != TopicKind.Telemetry)
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

        Envelope env = default;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                result.Error = DecodeError.NotJson;
                return;
            }

            ParseEnvelope(ref reader, result, ref env);
            if (reader.Read())
            {
                // trailing content after the root object
                result.Error = DecodeError.NotJson;
                return;
            }
        }
        catch (JsonException)
        {
            result.Error = DecodeError.NotJson;
            return;
        }
        catch (InvalidOperationException)
        {
            result.Error = DecodeError.NotJson;
            return;
        }
        catch (ArgumentException)
        {
            result.Error = DecodeError.NotJson;
            return;
        }

        var error = !env.HasV || env.V != 1 ? DecodeError.BadVersion
            : env.TypeError ? DecodeError.BadType
            : !(env.HasFw && env.HasBoot && env.HasClk && env.HasH && env.HasR && env.HasBat && env.HasRssi && env.HasQd && env.HasDrop && env.HasRst) ? DecodeError.MissingField
            : env.ReadingCount is < 1 or > MaxReadings ? DecodeError.TooManyReadings
            : null;
        if (error is not null)
        {
            result.Error = error;
            result.Readings.Clear();
            result.Rejected.Clear();
            return;
        }

        ValidateTimes(result, nowUnixSeconds);
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
        public bool HasV, HasFw, HasBoot, HasClk, HasH, HasR, HasBat, HasRssi, HasQd, HasDrop, HasRst, HasPwr, TypeError;
        public long V;
        public int ReadingCount;
    }

    private static void ParseEnvelope(ref Utf8JsonReader reader, DecodeResult result, ref Envelope env)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("v"u8))
            {
                reader.Read();
                env.HasV = true;
                env.V = TryInt(ref reader, out var v) ? v : -1;
            }
            else if (reader.ValueTextEquals("fw"u8))
            {
                reader.Read();
                env.HasFw = true;
                if (TryShortString(ref reader, 16, out var fw))
                {
                    result.Fw = fw;
                }
                else
                {
                    env.TypeError = true;
                }
            }
            else if (reader.ValueTextEquals("boot"u8))
            {
                reader.Read();
                env.HasBoot = true;
                if (TryInt(ref reader, out var boot) && boot >= 0)
                {
                    result.Boot = boot;
                }
                else
                {
                    env.TypeError = true;
                }
            }
            else if (reader.ValueTextEquals("clk"u8))
            {
                reader.Read();
                env.HasClk = true;
                if (TryInt(ref reader, out var clk) && clk >= 0)
                {
                    result.Clk = clk;
                }
                else
                {
                    env.TypeError = true;
                }
            }
            else if (reader.ValueTextEquals("cal"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    result.Cal = null;
                }
                else if (TryShortString(ref reader, 32, out var cal))
                {
                    result.Cal = cal;
                }
                else
                {
                    env.TypeError = true;
                }
            }
            else if (reader.ValueTextEquals("h"u8))
            {
                reader.Read();
                env.HasH = true;
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ParseHealth(ref reader, result, ref env);
                }
                else
                {
                    env.TypeError = true;
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("r"u8))
            {
                reader.Read();
                env.HasR = true;
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    env.ReadingCount = ParseReadings(ref reader, result);
                }
                else
                {
                    env.TypeError = true;
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
                env.HasBat = true;
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var bat) && double.IsFinite(bat))
                {
                    result.Battery = bat;
                }
                else
                {
                    env.TypeError = true;
                }
            }
            else if (IsIntKey(ref reader, "rssi"u8, ref env.HasRssi, ref env.TypeError, long.MinValue, out var rssi))
            {
                result.Rssi = rssi;
            }
            else if (IsIntKey(ref reader, "qd"u8, ref env.HasQd, ref env.TypeError, 0, out var qd))
            {
                result.QueueDepth = qd;
            }
            else if (IsIntKey(ref reader, "drop"u8, ref env.HasDrop, ref env.TypeError, 0, out var drop))
            {
                result.Dropped = drop;
            }
            else if (IsIntKey(ref reader, "rst"u8, ref env.HasRst, ref env.TypeError, 0, out var rst))
            {
                result.ResetReason = rst;
            }
            else if (IsIntKey(ref reader, "pwr"u8, ref env.HasPwr, ref env.TypeError, 0, out var pwr))
            {
                // optional (§4): the node's low-battery mode, absent = 0 (normal)
                result.PowerMode = pwr;
            }
            else if (reader.TokenType == JsonTokenType.PropertyName)
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>When positioned on property <paramref name="name"/>, reads its integer value.</summary>
    private static bool IsIntKey(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, ref bool seen, ref bool typeError, long min, out long value)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(name))
        {
            return false;
        }

        reader.Read();
        seen = true;
        if (TryInt(ref reader, out value) && value >= min)
        {
            return true;
        }

        typeError = true;
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

        foreach (var c in s)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

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
