using IoTMonitor.Firmware.Core.Numerics;

namespace IoTMonitor.Firmware.Core.Text
{
    /// <summary>
    /// A small pull reader for strict JSON (RFC 8259) over UTF-8 bytes, for the device config,
    /// the retained remote config and commands. nanoFramework-safe, allocation-free except for
    /// <see cref="GetString"/>. Never throws for any input: malformed input yields
    /// <see cref="JsonToken.Error"/> with a <see cref="JsonError"/>; every Read consumes input or
    /// ends, so no input makes it loop.
    /// </summary>
    public sealed class JsonReader
    {
        /// <summary>Deepest nesting accepted (config documents need 4).</summary>
        public const int MaxDepth = 16;

        private const int StateValue = 0;
        private const int StateValueOrEndArray = 1;
        private const int StateNameOrEndObject = 2;
        private const int StateName = 3;
        private const int StateCommaOrEnd = 4;
        private const int StateDone = 5;

        private static readonly double[] ExactPow10 =
        {
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        };

        private readonly bool[] _isArray = new bool[MaxDepth];
        private byte[] _data;
        private int _pos;
        private int _end;
        private int _depth;
        private int _state;
        private JsonToken _token;
        private JsonError _error;
        private int _strStart;
        private int _strEnd;
        private bool _strEscaped;
        private double _number;

        /// <summary>Starts reading <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public void Reset(byte[] data, int offset, int count)
        {
            _data = data;
            _pos = offset;
            _end = offset + count;
            _depth = 0;
            _state = StateValue;
            _token = JsonToken.None;
            _error = JsonError.None;
        }

        /// <summary>The current token.</summary>
        public JsonToken Token
        {
            get { return _token; }
        }

        /// <summary>The error once <see cref="Token"/> is <see cref="JsonToken.Error"/>.</summary>
        public JsonError Error
        {
            get { return _error; }
        }

        /// <summary>Nesting depth after the current token (0 at top level).</summary>
        public int Depth
        {
            get { return _depth; }
        }

        /// <summary>The value of the current Number token.</summary>
        public double Number
        {
            get { return _number; }
        }

        /// <summary>Advances to the next token.</summary>
        public JsonToken Read()
        {
            if (_token == JsonToken.Error || _token == JsonToken.End)
            {
                return _token;
            }

            SkipWhitespace();
            if (_state == StateDone)
            {
                return _pos == _end ? Set(JsonToken.End) : Fail(JsonError.TrailingData);
            }

            if (_pos >= _end)
            {
                return Fail(JsonError.UnexpectedEnd);
            }

            if (_state == StateCommaOrEnd)
            {
                byte c = _data[_pos];
                bool inArray = _isArray[_depth - 1];
                if (c == ',')
                {
                    _pos++;
                    _state = inArray ? StateValue : StateName;
                    SkipWhitespace();
                    if (_pos >= _end)
                    {
                        return Fail(JsonError.UnexpectedEnd);
                    }
                }
                else if ((c == ']' && inArray) || (c == '}' && !inArray))
                {
                    _pos++;
                    return Pop(inArray ? JsonToken.EndArray : JsonToken.EndObject);
                }
                else
                {
                    return Fail(JsonError.UnexpectedCharacter);
                }
            }

            byte b = _data[_pos];
            if (_state == StateNameOrEndObject || _state == StateName)
            {
                if (b == '}' && _state == StateNameOrEndObject)
                {
                    _pos++;
                    return Pop(JsonToken.EndObject);
                }

                if (b != '"' || !ScanString())
                {
                    return _error != JsonError.None ? Fail(_error) : Fail(JsonError.UnexpectedCharacter);
                }

                SkipWhitespace();
                if (_pos >= _end)
                {
                    return Fail(JsonError.UnexpectedEnd);
                }

                if (_data[_pos] != ':')
                {
                    return Fail(JsonError.UnexpectedCharacter);
                }

                _pos++;
                _state = StateValue;
                return Set(JsonToken.PropertyName);
            }

            if (b == ']' && _state == StateValueOrEndArray)
            {
                _pos++;
                return Pop(JsonToken.EndArray);
            }

            return ReadValue(b);
        }

        /// <summary>
        /// Skips the value that follows the current PropertyName, or the rest of the object/array
        /// the current StartObject/StartArray opened. False on malformed input.
        /// </summary>
        public bool Skip()
        {
            if (_token == JsonToken.PropertyName)
            {
                Read();
            }

            if (_token == JsonToken.StartObject || _token == JsonToken.StartArray)
            {
                int depth = _depth - 1;
                while (Read() != JsonToken.Error && _depth > depth)
                {
                }

                return _token != JsonToken.Error;
            }

            return _token != JsonToken.Error;
        }

        /// <summary>True when the current String/PropertyName equals <paramref name="s"/>. No allocation for ASCII.</summary>
        public bool ValueEquals(string s)
        {
            if (_token != JsonToken.String && _token != JsonToken.PropertyName)
            {
                return false;
            }

            if (_strEscaped)
            {
                return GetString() == s;
            }

            int n = _strEnd - _strStart;
            if (n != s.Length)
            {
                // Different byte count: equal only if s has non-ASCII characters; decode to be sure.
                for (int i = 0; i < s.Length; i++)
                {
                    if (s[i] >= 0x80)
                    {
                        return GetString() == s;
                    }
                }

                return false;
            }

            for (int i = 0; i < n; i++)
            {
                if (_data[_strStart + i] != s[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The current String/PropertyName, unescaped (allocates). Null for other tokens.</summary>
        public string GetString()
        {
            if (_token != JsonToken.String && _token != JsonToken.PropertyName)
            {
                return null;
            }

            if (!_strEscaped)
            {
                return Text.Utf8.GetString(_data, _strStart, _strEnd - _strStart);
            }

            char[] chars = new char[_strEnd - _strStart];
            int n = 0;
            int i = _strStart;
            while (i < _strEnd)
            {
                byte c = _data[i];
                if (c != '\\')
                {
                    int run = i;
                    while (i < _strEnd && _data[i] != '\\')
                    {
                        i++;
                    }

                    string part = Text.Utf8.GetString(_data, run, i - run);
                    for (int k = 0; k < part.Length; k++)
                    {
                        chars[n++] = part[k];
                    }

                    continue;
                }

                byte e = _data[i + 1];
                i += 2;
                switch (e)
                {
                    case (byte)'b': chars[n++] = '\b'; break;
                    case (byte)'f': chars[n++] = '\f'; break;
                    case (byte)'n': chars[n++] = '\n'; break;
                    case (byte)'r': chars[n++] = '\r'; break;
                    case (byte)'t': chars[n++] = '\t'; break;
                    case (byte)'u':
                        chars[n++] = (char)((HexValue(_data[i]) << 12) | (HexValue(_data[i + 1]) << 8) | (HexValue(_data[i + 2]) << 4) | HexValue(_data[i + 3]));
                        i += 4;
                        break;
                    default: chars[n++] = (char)e; break;
                }
            }

            return new string(chars, 0, n);
        }

        /// <summary>The current Number as an integer when it is one within ±2^53; false otherwise.</summary>
        public bool TryGetInt64(out long value)
        {
            value = 0;
            if (_token != JsonToken.Number || FMath.Floor(_number) != _number || FMath.Abs(_number) > 9007199254740992.0)
            {
                return false;
            }

            value = (long)_number;
            return true;
        }

        private JsonToken ReadValue(byte b)
        {
            if (b == '{' || b == '[')
            {
                if (_depth >= MaxDepth)
                {
                    return Fail(JsonError.TooDeep);
                }

                _pos++;
                _isArray[_depth++] = b == '[';
                _state = b == '[' ? StateValueOrEndArray : StateNameOrEndObject;
                return Set(b == '[' ? JsonToken.StartArray : JsonToken.StartObject);
            }

            JsonToken t;
            if (b == '"')
            {
                if (!ScanString())
                {
                    return Fail(_error);
                }

                t = JsonToken.String;
            }
            else if (b == '-' || (b >= '0' && b <= '9'))
            {
                if (!ScanNumber())
                {
                    return Fail(_error);
                }

                t = JsonToken.Number;
            }
            else if (b == 't' && Literal("true"))
            {
                t = JsonToken.True;
            }
            else if (b == 'f' && Literal("false"))
            {
                t = JsonToken.False;
            }
            else if (b == 'n' && Literal("null"))
            {
                t = JsonToken.Null;
            }
            else
            {
                return Fail(_error != JsonError.None ? _error : JsonError.UnexpectedCharacter);
            }

            _state = _depth == 0 ? StateDone : StateCommaOrEnd;
            return Set(t);
        }

        private JsonToken Pop(JsonToken t)
        {
            _depth--;
            _state = _depth == 0 ? StateDone : StateCommaOrEnd;
            return Set(t);
        }

        private JsonToken Set(JsonToken t)
        {
            _token = t;
            return t;
        }

        private JsonToken Fail(JsonError e)
        {
            _error = e == JsonError.None ? JsonError.UnexpectedCharacter : e;
            _token = JsonToken.Error;
            return JsonToken.Error;
        }

        private void SkipWhitespace()
        {
            while (_pos < _end)
            {
                byte c = _data[_pos];
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                {
                    return;
                }

                _pos++;
            }
        }

        private bool Literal(string word)
        {
            if (_end - _pos < word.Length)
            {
                _error = JsonError.UnexpectedEnd;
                return false;
            }

            for (int i = 0; i < word.Length; i++)
            {
                if (_data[_pos + i] != word[i])
                {
                    _error = JsonError.UnexpectedCharacter;
                    return false;
                }
            }

            _pos += word.Length;
            return true;
        }

        // Validates a string token (quotes, escapes, control characters, UTF-8) and records its
        // raw extent; decoding waits until someone asks for it.
        private bool ScanString()
        {
            int i = _pos + 1;
            _strStart = i;
            _strEscaped = false;
            while (true)
            {
                if (i >= _end)
                {
                    _error = JsonError.UnexpectedEnd;
                    return false;
                }

                byte c = _data[i];
                if (c == '"')
                {
                    _strEnd = i;
                    _pos = i + 1;
                    return true;
                }

                if (c < 0x20)
                {
                    _error = JsonError.BadString;
                    return false;
                }

                if (c == '\\')
                {
                    _strEscaped = true;
                    if (i + 1 >= _end)
                    {
                        _error = JsonError.UnexpectedEnd;
                        return false;
                    }

                    byte e = _data[i + 1];
                    if (e == 'u')
                    {
                        if (i + 5 >= _end)
                        {
                            _error = JsonError.UnexpectedEnd;
                            return false;
                        }

                        for (int k = 2; k < 6; k++)
                        {
                            if (HexValue(_data[i + k]) < 0)
                            {
                                _error = JsonError.BadString;
                                return false;
                            }
                        }

                        i += 6;
                    }
                    else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't')
                    {
                        i += 2;
                    }
                    else
                    {
                        _error = JsonError.BadString;
                        return false;
                    }

                    continue;
                }

                if (c < 0x80)
                {
                    i++;
                    continue;
                }

                int len = Utf8SequenceLength(i);
                if (len <= 0)
                {
                    _error = len == 0 ? JsonError.UnexpectedEnd : JsonError.BadString;
                    return false;
                }

                i += len;
            }
        }

        // Length of a well-formed UTF-8 sequence at i; 0 when input ends inside it, -1 when malformed.
        private int Utf8SequenceLength(int i)
        {
            byte b = _data[i];
            int need;
            int min;
            if (b >= 0xC2 && b <= 0xDF)
            {
                need = 1;
                min = 0x80;
            }
            else if (b >= 0xE0 && b <= 0xEF)
            {
                need = 2;
                min = 0x800;
            }
            else if (b >= 0xF0 && b <= 0xF4)
            {
                need = 3;
                min = 0x10000;
            }
            else
            {
                return -1;
            }

            if (i + need >= _end)
            {
                return 0;
            }

            int cp = b & (0x3F >> need);
            for (int k = 1; k <= need; k++)
            {
                byte cb = _data[i + k];
                if ((cb & 0xC0) != 0x80)
                {
                    return -1;
                }

                cp = (cp << 6) | (cb & 0x3F);
            }

            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            {
                return -1;
            }

            return need + 1;
        }

        private bool ScanNumber()
        {
            int i = _pos;
            bool negative = false;
            if (_data[i] == '-')
            {
                negative = true;
                i++;
            }

            ulong mantissa = 0;
            int digits = 0;
            int exp10 = 0;
            if (i >= _end)
            {
                _error = JsonError.UnexpectedEnd;
                return false;
            }

            if (_data[i] == '0')
            {
                i++;
            }
            else if (_data[i] >= '1' && _data[i] <= '9')
            {
                while (i < _end && _data[i] >= '0' && _data[i] <= '9')
                {
                    Accumulate(_data[i] - '0', ref mantissa, ref digits, ref exp10, false);
                    i++;
                }
            }
            else
            {
                _error = JsonError.BadNumber;
                return false;
            }

            if (i < _end && _data[i] == '.')
            {
                i++;
                int start = i;
                while (i < _end && _data[i] >= '0' && _data[i] <= '9')
                {
                    Accumulate(_data[i] - '0', ref mantissa, ref digits, ref exp10, true);
                    i++;
                }

                if (i == start)
                {
                    _error = i >= _end ? JsonError.UnexpectedEnd : JsonError.BadNumber;
                    return false;
                }
            }

            if (i < _end && (_data[i] == 'e' || _data[i] == 'E'))
            {
                i++;
                bool expNegative = false;
                if (i < _end && (_data[i] == '+' || _data[i] == '-'))
                {
                    expNegative = _data[i] == '-';
                    i++;
                }

                int start = i;
                int e = 0;
                while (i < _end && _data[i] >= '0' && _data[i] <= '9')
                {
                    if (e < 100000)
                    {
                        e = (e * 10) + (_data[i] - '0');
                    }

                    i++;
                }

                if (i == start)
                {
                    _error = i >= _end ? JsonError.UnexpectedEnd : JsonError.BadNumber;
                    return false;
                }

                exp10 += expNegative ? -e : e;
            }

            double v = Scale(mantissa, exp10);
            if (double.IsInfinity(v))
            {
                _error = JsonError.BadNumber;
                return false;
            }

            _number = negative ? -v : v;
            _pos = i;
            return true;
        }

        // Keeps the first 19 significant digits in the mantissa; later integer digits only scale it.
        private static void Accumulate(int d, ref ulong mantissa, ref int digits, ref int exp10, bool fraction)
        {
            if (digits < 19)
            {
                if (mantissa != 0 || d != 0)
                {
                    digits++;
                }

                mantissa = (mantissa * 10) + (ulong)d;
                if (fraction)
                {
                    exp10--;
                }
            }
            else if (!fraction)
            {
                exp10++;
            }
        }

        private static double Scale(ulong mantissa, int exp10)
        {
            double v = mantissa;
            if (mantissa == 0)
            {
                return 0;
            }

            if (exp10 > 400)
            {
                return double.PositiveInfinity;
            }

            if (exp10 < -400)
            {
                return 0;
            }

            while (exp10 > 22)
            {
                v *= 1e22;
                exp10 -= 22;
            }

            while (exp10 < -22)
            {
                v /= 1e22;
                exp10 += 22;
            }

            return exp10 >= 0 ? v * ExactPow10[exp10] : v / ExactPow10[-exp10];
        }

        private static int HexValue(byte c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }

            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }

            if (c >= 'A' && c <= 'F')
            {
                return c - 'A' + 10;
            }

            return -1;
        }
    }
}
