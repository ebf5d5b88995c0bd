namespace IoTMonitor.Firmware.Core.Text
{
    /// <summary>
    /// Appends JSON pieces as UTF-8 into a caller-provided byte array. Reusable (Reset) and
    /// allocation-free. On overflow it stops writing and sets <see cref="Overflow"/> instead of
    /// throwing, so an encoder can try a smaller batch.
    /// </summary>
    public sealed class Utf8Writer
    {
        private byte[] _buffer;
        private int _start;
        private int _pos;
        private int _limit;
        private bool _overflow;

        /// <summary>Bytes written since the last Reset.</summary>
        public int Length
        {
            get { return _pos - _start; }
        }

        /// <summary>Absolute position of the next byte in the buffer.</summary>
        public int Position
        {
            get { return _pos; }
        }

        /// <summary>True once something did not fit; later writes are ignored.</summary>
        public bool Overflow
        {
            get { return _overflow; }
        }

        /// <summary>Starts writing at <paramref name="offset"/>; never past <paramref name="offset"/> + <paramref name="capacity"/>.</summary>
        public void Reset(byte[] buffer, int offset, int capacity)
        {
            _buffer = buffer;
            _start = offset;
            _pos = offset;
            int limit = offset + capacity;
            _limit = limit > buffer.Length ? buffer.Length : limit;
            _overflow = false;
        }

        /// <summary>Writes one byte (ASCII punctuation).</summary>
        public void Byte(char c)
        {
            if (_overflow)
            {
                return;
            }

            if (_pos >= _limit)
            {
                _overflow = true;
                return;
            }

            _buffer[_pos++] = (byte)c;
        }

        /// <summary>Writes an ASCII literal (keys, punctuation runs).</summary>
        public void Ascii(string s)
        {
            Advance(_overflow ? -1 : NumberFormatter.WriteAscii(s, _buffer, _pos, _limit));
        }

        /// <summary>Writes an integer.</summary>
        public void Int(long v)
        {
            Advance(_overflow ? -1 : NumberFormatter.WriteInt64(v, _buffer, _pos, _limit));
        }

        /// <summary>Writes a decimal rounded to <paramref name="decimals"/> places (protocol §4 "Numbers").</summary>
        public void Fixed(double v, int decimals)
        {
            Advance(_overflow ? -1 : NumberFormatter.WriteFixed(v, decimals, _buffer, _pos, _limit));
        }

        /// <summary>Writes <c>true</c> or <c>false</c>.</summary>
        public void Bool(bool v)
        {
            Ascii(v ? "true" : "false");
        }

        /// <summary>Writes a quoted JSON string, escaped, UTF-8 encoded (null → <c>null</c>).</summary>
        public void String(string s)
        {
            if (s == null)
            {
                Ascii("null");
                return;
            }

            Byte('"');
            int n = s.Length;
            for (int i = 0; i < n && !_overflow; i++)
            {
                char c = s[i];
                if (c == '"' || c == '\\')
                {
                    Byte('\\');
                    Byte(c);
                }
                else if (c < 0x20)
                {
                    Ascii("\\u00");
                    Byte(Hex(c >> 4));
                    Byte(Hex(c & 0xF));
                }
                else if (c < 0x80)
                {
                    Byte(c);
                }
                else
                {
                    int cp = c;
                    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF)
                    {
                        cp = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
                        i++;
                    }
                    else if (c >= 0xD800 && c <= 0xDFFF)
                    {
                        cp = 0xFFFD; // lone surrogate: replacement character, as UTF-8 encoders do
                    }

                    Utf8.WriteCodePoint(this, cp);
                }
            }

            Byte('"');
        }

        /// <summary>Writes a raw byte (used by <see cref="Utf8"/>).</summary>
        internal void Raw(int b)
        {
            if (_overflow)
            {
                return;
            }

            if (_pos >= _limit)
            {
                _overflow = true;
                return;
            }

            _buffer[_pos++] = (byte)b;
        }

        private static char Hex(int v)
        {
            return (char)(v < 10 ? '0' + v : 'a' + v - 10);
        }

        private void Advance(int newPos)
        {
            if (newPos < 0)
            {
                _overflow = true;
            }
            else
            {
                _pos = newPos;
            }
        }
    }
}
