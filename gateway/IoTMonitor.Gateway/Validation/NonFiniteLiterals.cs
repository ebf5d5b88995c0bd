namespace IoTMonitor.Gateway.Validation;

/// <summary>
/// The bare literals <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> that some JSON writers
/// (JavaScript's, Python's) emit are not JSON (RFC 8259 §6), so the JSON reader stops at them.
/// Protocol §12 wants such a value refused as one reading (<c>not_finite</c>), not the whole batch:
/// this rewrites each literal outside a string as <c>1e999</c> / <c>-1e999</c>, a JSON number too
/// large for a double, which the decoder already refuses per reading. Used only after a payload
/// failed to parse, so a valid payload pays nothing.
/// </summary>
public static class NonFiniteLiterals
{
    private static readonly byte[] Huge = "1e999"u8.ToArray();

    /// <summary>True, with the rewritten copy, when the payload holds at least one such literal outside strings.</summary>
    public static bool TryRewrite(ReadOnlySpan<byte> payload, out byte[] rewritten)
    {
        var output = new List<byte>(payload.Length + 16);
        var found = false;
        var inString = false;
        for (var i = 0; i < payload.Length; i++)
        {
            var b = payload[i];
            if (inString)
            {
                output.Add(b);
                if (b == (byte)'\\' && i + 1 < payload.Length)
                {
                    output.Add(payload[++i]);
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
            }
            else if (StartsToken(payload, i, "NaN"u8) || StartsToken(payload, i, "Infinity"u8))
            {
                output.AddRange(Huge);
                i += payload[i] == (byte)'N' ? 2 : 7;
                found = true;
                continue;
            }

            output.Add(b);
        }

        rewritten = found ? output.ToArray() : [];
        return found;
    }

    // The literal at i, not part of a longer word (so a key or a misspelling is left for the reader to refuse).
    private static bool StartsToken(ReadOnlySpan<byte> payload, int i, ReadOnlySpan<byte> literal)
    {
        if (!payload[i..].StartsWith(literal))
        {
            return false;
        }

        var end = i + literal.Length;
        return (i == 0 || !IsWordByte(payload[i - 1])) && (end == payload.Length || !IsWordByte(payload[end]));
    }

    private static bool IsWordByte(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_' or (byte)'.';
}
