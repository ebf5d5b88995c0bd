using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Cellular.At
{
    /// <summary>
    /// One AT command at a time over a UART, byte by byte: the command line is built in a fixed
    /// buffer, the answer is split into lines as bytes arrive (a line may span many reads), and each
    /// line is sorted into echo, final result, the command's information text, or an unsolicited
    /// result code for <see cref="Sink"/>. Allocation-free per command.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Framing (ITU-T V.250 §5.2.1, §5.7.1): a command ends in CR (S3); the modem answers
    /// <c>CR LF text CR LF</c>; with echo on (ATE1) the command line comes back first and is
    /// dropped. CR or LF ends a line, empty lines are skipped.</item>
    /// <item>Final results: <c>OK</c>, <c>ERROR</c>, <c>+CME ERROR: n</c> (3GPP TS 27.007 §9.2, numeric
    /// after AT+CMEE=1), <c>+CMS ERROR: n</c> (3GPP TS 27.005 §3.2.5).</item>
    /// <item>URCs may arrive at any time, also between a command and its final result (3GPP TS
    /// 27.007 §4.1 leaves the interleaving to the TA); a line that is not the command's echo,
    /// information text (the caller names its prefix) or a final result goes to the sink.</item>
    /// <item>Data input: commands such as AT+CMQTTTOPIC (SIMCom A76XX Series AT Command Manual V1.11,
    /// MQTT(S) chapter) and AT+QMTPUB with a length (Quectel LTE Standard MQTT Application Note)
    /// answer <c>&gt;</c> without CR LF and then read exactly the announced number of bytes; Quectel's
    /// file upload AT+QFUPL answers <c>CONNECT</c> instead, which counts as the prompt too.</item>
    /// <item>A line longer than <see cref="MaxLine"/> (garbage, a wrong baud rate) is dropped to its
    /// end and counted in <see cref="Discarded"/>; it never stalls the parser.</item>
    /// </list>
    /// </remarks>
    public sealed class AtEngine
    {
        /// <summary>
        /// Longest line kept, bytes: a Quectel <c>+QMTRECV</c> carries the whole message on one line, and
        /// the largest message the node takes is a device config (ModemInbox.MaxPayload).
        /// </summary>
        public const int MaxLine = ModemInbox.MaxPayload + 160;

        /// <summary>Longest command line, bytes (AT+QMTOPEN with a 128-byte host name fits).</summary>
        public const int MaxCommand = 320;

        /// <summary>Wait between two reads of an idle UART, ms (at 115200 Bd the UART FIFO of 128 bytes fills in 11 ms).</summary>
        public const int PollMs = 5;

        private const int MaxInfoLines = 6;
        private const int InfoBytes = 512;

        private readonly IUart _port;
        private readonly IClock _clock;
        private readonly byte[] _rx = new byte[128];
        private readonly byte[] _line = new byte[MaxLine];
        private readonly byte[] _tx = new byte[MaxCommand];
        private readonly byte[] _info = new byte[InfoBytes];
        private readonly int[] _infoStart = new int[MaxInfoLines];
        private readonly int[] _infoLength = new int[MaxInfoLines];
        private readonly byte[] _crlf = new byte[] { 13 };

        private int _lineLength;
        private bool _lineTooLong;
        private bool _lastWasCr;
        private int _txLength;
        private bool _pending;
        private string _infoPrefix;
        private int _infoCount;
        private int _infoUsed;
        private bool _final;
        private AtResult _result;
        private bool _awaitPrompt;
        private bool _prompt;
        private int _raw;

        /// <summary>Engine on <paramref name="port"/>; <paramref name="clock"/> times every wait (its Sleep is the only blocking call).</summary>
        public AtEngine(IUart port, IClock clock)
        {
            _port = port;
            _clock = clock;
        }

        /// <summary>Receives URCs (and the raw bytes some of them announce); null drops them.</summary>
        public IUrcSink Sink;

        /// <summary>The number of the last <c>+CME ERROR</c>/<c>+CMS ERROR</c>, -1 after any other result.</summary>
        public int ErrorCode { get; private set; }

        /// <summary>Lines dropped because they outgrew <see cref="MaxLine"/> (line noise, a wrong baud rate).</summary>
        public int Discarded { get; private set; }

        /// <summary>URC lines handed to the sink since construction.</summary>
        public int Urcs { get; private set; }

        /// <summary>Echoed command lines dropped (the modem had echo on).</summary>
        public int Echoes { get; private set; }

        /// <summary>The clock's milliseconds (deadlines of the callers are on it).</summary>
        public long Now
        {
            get { return _clock.Millis; }
        }

        /// <summary>Milliseconds left until <paramref name="deadlineMs"/>, at least 0.</summary>
        public int Left(long deadlineMs)
        {
            long left = deadlineMs - _clock.Millis;
            return left <= 0 ? 0 : (left > int.MaxValue ? int.MaxValue : (int)left);
        }

        /// <summary>Information-text lines of the last command that matched its prefix.</summary>
        public int InfoCount
        {
            get { return _infoCount; }
        }

        /// <summary>Starts a command line with <paramref name="text"/> (ASCII, e.g. <c>AT+CMQTTPUB=</c>).</summary>
        public AtEngine Begin(string text)
        {
            _txLength = 0;
            return Text(text);
        }

        /// <summary>Appends ASCII text to the command line (bytes above 0x7E become '?').</summary>
        public AtEngine Text(string text)
        {
            for (int i = 0; i < text.Length && _txLength < MaxCommand - 1; i++)
            {
                char c = text[i];
                _tx[_txLength++] = (byte)(c >= 0x20 && c < 0x7F ? c : '?');
            }

            return this;
        }

        /// <summary>Appends <paramref name="text"/> in double quotes.</summary>
        public AtEngine Quoted(string text)
        {
            Text("\"");
            Text(text == null ? string.Empty : text);
            return Text("\"");
        }

        /// <summary>Appends a decimal integer.</summary>
        public AtEngine Int(int value)
        {
            if (value < 0)
            {
                Text("-");
                value = -value;
            }

            int digits = 1;
            for (int v = value; v >= 10; v /= 10)
            {
                digits++;
            }

            if (_txLength + digits >= MaxCommand)
            {
                return this;
            }

            for (int i = digits - 1; i >= 0; i--)
            {
                _tx[_txLength + i] = (byte)('0' + (value % 10));
                value /= 10;
            }

            _txLength += digits;
            return this;
        }

        /// <summary>Sends <paramref name="command"/> and waits for its final result (see <see cref="Run"/>).</summary>
        public AtResult Command(string command, string infoPrefix, int timeoutMs)
        {
            Begin(command);
            return Run(infoPrefix, timeoutMs);
        }

        /// <summary>
        /// Sends the command line built by <see cref="Begin"/> and waits up to <paramref name="timeoutMs"/>
        /// for its final result; lines starting with <paramref name="infoPrefix"/> (e.g. <c>+CSQ:</c>) are
        /// kept for <see cref="InfoInt"/>/<see cref="InfoText"/>.
        /// </summary>
        public AtResult Run(string infoPrefix, int timeoutMs)
        {
            StartCommand(infoPrefix, false);
            return Finish(_clock.Millis + timeoutMs);
        }

        /// <summary>
        /// Sends the command line, waits for the <c>&gt;</c> prompt, sends <paramref name="count"/> bytes
        /// of <paramref name="data"/> and waits for the final result; Timeout when no prompt came (the
        /// data is then not sent: a late prompt would take the next command as data, so the caller
        /// should <see cref="Sync"/> before the next command).
        /// </summary>
        public AtResult RunWithData(string infoPrefix, byte[] data, int offset, int count, int timeoutMs)
        {
            long deadline = _clock.Millis + timeoutMs;
            StartCommand(infoPrefix, true);
            while (!_prompt && !_final)
            {
                if (!Service(deadline))
                {
                    _pending = false;
                    _awaitPrompt = false;
                    ErrorCode = -1;
                    return AtResult.Timeout;
                }
            }

            _awaitPrompt = false;
            if (_final)
            {
                _pending = false;
                return _result;
            }

            _port.Write(data, offset, count);
            return Finish(deadline);
        }

        /// <summary>Info line <paramref name="line"/>'s field <paramref name="field"/> as an integer, or <paramref name="missing"/>.</summary>
        public int InfoInt(int line, int field, int missing)
        {
            return line < _infoCount ? AtLine.Int(_info, _infoStart[line], _infoLength[line], field, missing) : missing;
        }

        /// <summary>Info line <paramref name="line"/>'s field <paramref name="field"/> as text (allocates), or null.</summary>
        public string InfoText(int line, int field)
        {
            return line < _infoCount ? AtLine.Text(_info, _infoStart[line], _infoLength[line], field) : null;
        }

        /// <summary>
        /// Reads and handles whatever has arrived (URCs go to the sink); when nothing has, waits
        /// <see cref="PollMs"/>. False once <paramref name="deadlineMs"/> (clock ms) has passed.
        /// Callers waiting for a URC loop on it.
        /// </summary>
        public bool Service(long deadlineMs)
        {
            int n = _port.Read(_rx, 0, _rx.Length);
            if (n > 0)
            {
                Feed(_rx, n);
                return true;
            }

            if (_clock.Millis >= deadlineMs)
            {
                return false;
            }

            _clock.Sleep(PollMs);
            return true;
        }

        /// <summary>Handles URCs for <paramref name="ms"/> ms.</summary>
        public void Idle(int ms)
        {
            long deadline = _clock.Millis + ms;
            while (Service(deadline))
            {
            }
        }

        /// <summary>
        /// Gets the modem's attention after power-on, a reset or a lost prompt: sends <c>AT</c> every
        /// 500 ms until <c>OK</c> (it also trains an autobauding modem, V.250 §5.2.1), then turns echo
        /// off (ATE0) and numeric error codes on (AT+CMEE=1, 3GPP TS 27.007 §9.1). False when the
        /// modem stayed silent for <paramref name="timeoutMs"/> (hung or off: power-cycle it).
        /// </summary>
        public bool Sync(int timeoutMs)
        {
            long deadline = _clock.Millis + timeoutMs;
            _lineLength = 0;
            _lineTooLong = false;
            _raw = 0;
            _port.DiscardInput();
            while (true)
            {
                long left = deadline - _clock.Millis;
                if (left <= 0)
                {
                    return false;
                }

                if (Command("AT", null, left < 500 ? (int)left : 500) == AtResult.Ok)
                {
                    break;
                }

                // A data prompt left open by a lost exchange ends with ESC (A76XX manual: "ESC to cancel").
                _crlf[0] = 27;
                _port.Write(_crlf, 0, 1);
            }

            return Command("ATE0", null, 500) == AtResult.Ok && Command("AT+CMEE=1", null, 500) == AtResult.Ok;
        }

        private void StartCommand(string infoPrefix, bool awaitPrompt)
        {
            _infoPrefix = infoPrefix;
            _infoCount = 0;
            _infoUsed = 0;
            _final = false;
            _prompt = false;
            _awaitPrompt = awaitPrompt;
            _pending = true;
            ErrorCode = -1;
            _crlf[0] = 13;
            _port.Write(_tx, 0, _txLength);
            _port.Write(_crlf, 0, 1);
        }

        private AtResult Finish(long deadline)
        {
            while (!_final)
            {
                if (!Service(deadline))
                {
                    _pending = false;
                    ErrorCode = -1;
                    return AtResult.Timeout;
                }
            }

            _pending = false;
            return _result;
        }

        private void Feed(byte[] data, int count)
        {
            int i = 0;
            while (i < count)
            {
                if (_lastWasCr && data[i] == 10)
                {
                    _lastWasCr = false; // the LF of a CR LF pair (also before announced raw bytes)
                    i++;
                    continue;
                }

                if (_raw > 0)
                {
                    _lastWasCr = false;
                    int n = count - i < _raw ? count - i : _raw;
                    _raw -= n;
                    if (Sink != null)
                    {
                        Sink.OnRaw(data, i, n);
                    }

                    i += n;
                    continue;
                }

                byte b = data[i++];
                _lastWasCr = b == 13;
                if (b == 13 || b == 10)
                {
                    EndLine();
                }
                else if (_awaitPrompt && !_prompt && _lineLength == 0 && b == '>')
                {
                    _prompt = true;
                }
                else if (_prompt && _lineLength == 0 && b == ' ')
                {
                    // "> ": the space after the prompt belongs to it.
                }
                else if (_lineLength < MaxLine)
                {
                    _line[_lineLength++] = b;
                }
                else
                {
                    _lineTooLong = true;
                }
            }
        }

        private void EndLine()
        {
            int length = _lineLength;
            _lineLength = 0;
            if (_lineTooLong)
            {
                _lineTooLong = false;
                Discarded++;
                return;
            }

            if (length == 0)
            {
                return;
            }

            // Data prompts on a line of their own: CONNECT (Quectel AT+QFUPL), DOWNLOAD (SIM7080 AT+CFSWFILE).
            if (_awaitPrompt && !_prompt && (AtLine.Equals(_line, 0, length, "CONNECT") || AtLine.Equals(_line, 0, length, "DOWNLOAD")))
            {
                _prompt = true;
                return;
            }

            if (_pending && !_final)
            {
                if (length == _txLength && AtLine.StartsWith(_line, 0, length, "AT") && Same(length))
                {
                    Echoes++;
                    return;
                }

                if (AtLine.Equals(_line, 0, length, "OK"))
                {
                    Final(AtResult.Ok, -1);
                    return;
                }

                if (AtLine.Equals(_line, 0, length, "ERROR"))
                {
                    Final(AtResult.Error, -1);
                    return;
                }

                if (AtLine.StartsWith(_line, 0, length, "+CME ERROR:"))
                {
                    Final(AtResult.CmeError, AtLine.Int(_line, 0, length, 0, -1));
                    return;
                }

                if (AtLine.StartsWith(_line, 0, length, "+CMS ERROR:"))
                {
                    Final(AtResult.CmsError, AtLine.Int(_line, 0, length, 0, -1));
                    return;
                }

                if (_infoPrefix != null && AtLine.StartsWith(_line, 0, length, _infoPrefix))
                {
                    KeepInfo(length);
                    return;
                }
            }

            Urcs++;
            if (Sink != null)
            {
                int raw = Sink.OnUrc(_line, length);
                _raw = raw > 0 ? raw : 0;
            }
        }

        private bool Same(int length)
        {
            for (int i = 0; i < length; i++)
            {
                if (_line[i] != _tx[i])
                {
                    return false;
                }
            }

            return true;
        }

        private void Final(AtResult result, int code)
        {
            _result = result;
            ErrorCode = code;
            _final = true;
        }

        private void KeepInfo(int length)
        {
            if (_infoCount == MaxInfoLines || _infoUsed + length > InfoBytes)
            {
                return;
            }

            System.Array.Copy(_line, 0, _info, _infoUsed, length);
            _infoStart[_infoCount] = _infoUsed;
            _infoLength[_infoCount] = length;
            _infoUsed += length;
            _infoCount++;
        }
    }
}
