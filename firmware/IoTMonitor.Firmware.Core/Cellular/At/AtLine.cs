namespace IoTMonitor.Firmware.Core.Cellular.At
{
    /// <summary>
    /// Reads the fields of a response or URC line in place, without decoding it: <c>+NAME: a,"b,c",d</c>
    /// has fields 0 = a, 1 = "b,c" (a comma inside quotes does not split), 2 = d (3GPP TS 27.007 §4.1:
    /// information text after the colon and a space, parameters separated by commas, strings quoted).
    /// </summary>
    public static class AtLine
    {
        /// <summary>True when <paramref name="line"/>[0..<paramref name="length"/>) begins with the ASCII <paramref name="prefix"/>.</summary>
        public static bool StartsWith(byte[] line, int offset, int length, string prefix)
        {
            if (prefix == null || length < prefix.Length)
            {
                return false;
            }

            for (int i = 0; i < prefix.Length; i++)
            {
                if (line[offset + i] != prefix[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>True when the line is exactly <paramref name="text"/>.</summary>
        public static bool Equals(byte[] line, int offset, int length, string text)
        {
            return length == text.Length && StartsWith(line, offset, length, text);
        }

        /// <summary>
        /// Finds field <paramref name="index"/> after the first colon (or from the start when the line
        /// has none): its first byte in <paramref name="start"/> and one past its last in
        /// <paramref name="end"/>, quotes included, leading spaces skipped. False when the line has fewer fields.
        /// </summary>
        public static bool Field(byte[] line, int offset, int length, int index, out int start, out int end)
        {
            int limit = offset + length;
            int p = offset;
            while (p < limit && line[p] != ':')
            {
                p++;
            }

            p = p < limit ? p + 1 : offset;
            int field = 0;
            while (true)
            {
                while (p < limit && line[p] == ' ')
                {
                    p++;
                }

                start = p;
                bool quoted = false;
                while (p < limit && (quoted || line[p] != ','))
                {
                    if (line[p] == '"')
                    {
                        quoted = !quoted;
                    }

                    p++;
                }

                end = p;
                if (field == index)
                {
                    return true;
                }

                if (p >= limit)
                {
                    start = end = limit;
                    return false;
                }

                p++; // past the comma
                field++;
            }
        }

        /// <summary>Field <paramref name="index"/> as a decimal integer, or <paramref name="missing"/> when absent or not a number.</summary>
        public static int Int(byte[] line, int offset, int length, int index, int missing)
        {
            int start;
            int end;
            if (!Field(line, offset, length, index, out start, out end) || start == end)
            {
                return missing;
            }

            if (line[start] == '"' && end - start >= 2)
            {
                start++;
                end--;
            }

            bool negative = line[start] == '-';
            int p = negative ? start + 1 : start;
            if (p == end)
            {
                return missing;
            }

            long v = 0;
            for (; p < end; p++)
            {
                int d = line[p] - '0';
                if (d < 0 || d > 9 || v > 100000000)
                {
                    return missing;
                }

                v = (v * 10) + d;
            }

            return (int)(negative ? -v : v);
        }

        /// <summary>
        /// Field <paramref name="index"/> as text without its quotes (ASCII; other bytes become '?'),
        /// or null when absent. Allocates: for the cold path (operator name, ICCID).
        /// </summary>
        public static string Text(byte[] line, int offset, int length, int index)
        {
            int start;
            int end;
            if (!Field(line, offset, length, index, out start, out end))
            {
                return null;
            }

            if (end - start >= 2 && line[start] == '"' && line[end - 1] == '"')
            {
                start++;
                end--;
            }

            char[] chars = new char[end - start];
            for (int i = 0; i < chars.Length; i++)
            {
                byte b = line[start + i];
                chars[i] = b >= 0x20 && b < 0x7F ? (char)b : '?';
            }

            return new string(chars);
        }

        /// <summary>
        /// True when <paramref name="text"/> can stand inside a quoted AT string parameter: neither the
        /// SIMCom nor the Quectel command sets have an escape for '"', and a control byte would end the line.
        /// </summary>
        public static bool Quotable(byte[] text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == '"' || text[i] < 0x20)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
