namespace IoTMonitor.Firmware.Core.Text
{
    /// <summary>
    /// UTF-8 encoding and decoding of the little text the node handles (ids, config strings),
    /// because nanoFramework's mscorlib has no System.Text.Encoding.
    /// </summary>
    public static class Utf8
    {
        /// <summary>Appends one Unicode code point as 1–4 UTF-8 bytes.</summary>
        internal static void WriteCodePoint(Utf8Writer w, int cp)
        {
            if (cp < 0x80)
            {
                w.Raw(cp);
            }
            else if (cp < 0x800)
            {
                w.Raw(0xC0 | (cp >> 6));
                w.Raw(0x80 | (cp & 0x3F));
            }
            else if (cp < 0x10000)
            {
                w.Raw(0xE0 | (cp >> 12));
                w.Raw(0x80 | ((cp >> 6) & 0x3F));
                w.Raw(0x80 | (cp & 0x3F));
            }
            else
            {
                w.Raw(0xF0 | (cp >> 18));
                w.Raw(0x80 | ((cp >> 12) & 0x3F));
                w.Raw(0x80 | ((cp >> 6) & 0x3F));
                w.Raw(0x80 | (cp & 0x3F));
            }
        }

        /// <summary>
        /// Encodes a string to a new byte array (for topics and other cold-path text). Allocates.
        /// </summary>
        public static byte[] GetBytes(string s)
        {
            Utf8Writer w = new Utf8Writer();
            byte[] tmp = new byte[(s.Length * 3) + 8];
            w.Reset(tmp, 0, tmp.Length);
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                int cp = c;
                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.Length && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF)
                {
                    cp = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
                    i++;
                }
                else if (c >= 0xD800 && c <= 0xDFFF)
                {
                    cp = 0xFFFD;
                }

                WriteCodePoint(w, cp);
            }

            byte[] result = new byte[w.Length];
            System.Array.Copy(tmp, 0, result, 0, w.Length);
            return result;
        }

        /// <summary>
        /// Decodes UTF-8 bytes to a string; malformed sequences become U+FFFD. Never throws for
        /// any input. Allocates the result.
        /// </summary>
        public static string GetString(byte[] bytes, int offset, int count)
        {
            char[] chars = new char[count];
            int n = 0;
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                int b = bytes[i];
                int cp;
                int need;
                if (b < 0x80)
                {
                    cp = b;
                    need = 0;
                }
                else if (b >= 0xC2 && b <= 0xDF)
                {
                    cp = b & 0x1F;
                    need = 1;
                }
                else if (b >= 0xE0 && b <= 0xEF)
                {
                    cp = b & 0x0F;
                    need = 2;
                }
                else if (b >= 0xF0 && b <= 0xF4)
                {
                    cp = b & 0x07;
                    need = 3;
                }
                else
                {
                    chars[n++] = '\uFFFD';
                    i++;
                    continue;
                }

                int j = i + 1;
                bool ok = j + need <= end;
                for (int k = 0; ok && k < need; k++)
                {
                    int cb = bytes[j + k];
                    if ((cb & 0xC0) != 0x80)
                    {
                        ok = false;
                    }
                    else
                    {
                        cp = (cp << 6) | (cb & 0x3F);
                    }
                }

                // Overlong, surrogate or out-of-range forms are malformed too.
                if (ok && ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF))))
                {
                    ok = false;
                }

                if (!ok)
                {
                    chars[n++] = '\uFFFD';
                    i++;
                    continue;
                }

                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    chars[n++] = (char)(0xD800 + (cp >> 10));
                    chars[n++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)cp;
                }

                i = j + need;
            }

            return new string(chars, 0, n);
        }
    }
}
