using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>
    /// Parses a <c>cmd</c> payload (protocol §7). Never throws for any input; returns the cmd/ack
    /// error code (<see cref="CommandError"/>).
    /// </summary>
    public sealed class CommandParser
    {
        private readonly JsonReader _r = new JsonReader();

        /// <summary>Fills <paramref name="into"/>; returns 0 or a <see cref="CommandError"/> code.</summary>
        public int Parse(byte[] data, int offset, int count, Command into)
        {
            into.Id = null;
            into.Kind = CommandKind.Unknown;
            into.Confirm = false;
            into.Seconds = 0;
            if (data == null || offset < 0 || count < 0 || offset + count > data.Length)
            {
                return CommandError.Malformed;
            }

            _r.Reset(data, offset, count);
            if (_r.Read() != JsonToken.StartObject)
            {
                return CommandError.Malformed;
            }

            bool haveCmd = false;
            bool haveV = false;
            long n;
            while (true)
            {
                JsonToken t = _r.Read();
                if (t == JsonToken.EndObject)
                {
                    break;
                }

                if (t != JsonToken.PropertyName)
                {
                    return CommandError.Malformed;
                }

                if (_r.ValueEquals("v"))
                {
                    if (_r.Read() != JsonToken.Number || !_r.TryGetInt64(out n) || n != ProtocolLimits.Version)
                    {
                        return CommandError.Malformed;
                    }

                    haveV = true;
                }
                else if (_r.ValueEquals("id"))
                {
                    if (_r.Read() != JsonToken.String)
                    {
                        return CommandError.Malformed;
                    }

                    into.Id = _r.GetString();
                }
                else if (_r.ValueEquals("cmd"))
                {
                    if (_r.Read() != JsonToken.String)
                    {
                        return CommandError.Malformed;
                    }

                    into.Kind = KindOf();
                    haveCmd = true;
                }
                else if (_r.ValueEquals("confirm"))
                {
                    t = _r.Read();
                    if (t != JsonToken.True && t != JsonToken.False)
                    {
                        return CommandError.Malformed;
                    }

                    into.Confirm = t == JsonToken.True;
                }
                else if (_r.ValueEquals("sec"))
                {
                    if (_r.Read() != JsonToken.Number || !_r.TryGetInt64(out n) || n < 10 || n > 86400)
                    {
                        return _r.Token == JsonToken.Error ? CommandError.Malformed : CommandError.BadArgument;
                    }

                    into.Seconds = (int)n;
                }
                else if (!_r.Skip())
                {
                    return CommandError.Malformed;
                }
            }

            if (_r.Read() != JsonToken.End || !haveV || !haveCmd || into.Id == null)
            {
                return CommandError.Malformed;
            }

            if (into.Kind == CommandKind.Unknown)
            {
                return CommandError.UnknownCommand;
            }

            if ((into.Kind == CommandKind.ClearQueue && !into.Confirm) || (into.Kind == CommandKind.SetInterval && into.Seconds == 0))
            {
                return CommandError.BadArgument;
            }

            return CommandError.None;
        }

        private CommandKind KindOf()
        {
            if (_r.ValueEquals("sample_now"))
            {
                return CommandKind.SampleNow;
            }

            if (_r.ValueEquals("upload_now"))
            {
                return CommandKind.UploadNow;
            }

            if (_r.ValueEquals("reboot"))
            {
                return CommandKind.Reboot;
            }

            if (_r.ValueEquals("clear_queue"))
            {
                return CommandKind.ClearQueue;
            }

            if (_r.ValueEquals("set_interval"))
            {
                return CommandKind.SetInterval;
            }

            return _r.ValueEquals("time_sync") ? CommandKind.TimeSync : CommandKind.Unknown;
        }
    }
}
