using System;

namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// Messages the modem delivered on subscribed topics, waiting for <see cref="ModemLink.Receive"/>:
    /// a few fixed slots (config and cmd arrive one or two per wake), each holding the topic and up to
    /// <see cref="MaxPayload"/> bytes; a longer message keeps its prefix and is marked truncated.
    /// </summary>
    public sealed class ModemInbox
    {
        /// <summary>Largest payload kept whole, bytes (a device config fits; INodeLink.Receive reports longer ones as -2).</summary>
        public const int MaxPayload = 4096;

        private const int Slots = 4;

        private readonly string[] _topics = new string[Slots];
        private readonly byte[][] _payloads = new byte[Slots][];
        private readonly int[] _lengths = new int[Slots];
        private readonly bool[] _truncated = new bool[Slots];
        private int _head;
        private int _count;
        private int _writing = -1;

        /// <summary>Messages dropped because every slot was full.</summary>
        public int Dropped { get; private set; }

        /// <summary>Messages waiting.</summary>
        public int Count
        {
            get { return _writing >= 0 ? _count - 1 : _count; }
        }

        /// <summary>Starts a message on <paramref name="topic"/>; its payload follows by <see cref="Append"/>, then <see cref="Complete"/>.</summary>
        public void Begin(string topic)
        {
            if (_writing >= 0)
            {
                Complete();
            }

            if (_count == Slots)
            {
                Dropped++;
                _writing = -2;
                return;
            }

            int slot = (_head + _count) % Slots;
            if (_payloads[slot] == null)
            {
                _payloads[slot] = new byte[MaxPayload];
            }

            _topics[slot] = topic;
            _lengths[slot] = 0;
            _truncated[slot] = false;
            _count++;
            _writing = slot;
        }

        /// <summary>Appends payload bytes to the message being written.</summary>
        public void Append(byte[] data, int offset, int count)
        {
            if (_writing < 0)
            {
                return;
            }

            int room = MaxPayload - _lengths[_writing];
            int n = count < room ? count : room;
            Array.Copy(data, offset, _payloads[_writing], _lengths[_writing], n);
            _lengths[_writing] += n;
            if (n < count)
            {
                _truncated[_writing] = true;
            }
        }

        /// <summary>Marks the message being written as cut short (Take then returns -2).</summary>
        public void MarkTruncated()
        {
            if (_writing >= 0)
            {
                _truncated[_writing] = true;
            }
        }

        /// <summary>Marks the message written (it becomes visible to <see cref="Take"/>).</summary>
        public void Complete()
        {
            _writing = -1;
        }

        /// <summary>Copies the oldest message as INodeLink.Receive says: length, or -2 when it did not fit (prefix copied); -1 when none.</summary>
        public int Take(byte[] buffer, out string topic)
        {
            topic = null;
            if (Count == 0)
            {
                return -1;
            }

            int slot = _head;
            _head = (_head + 1) % Slots;
            _count--;
            topic = _topics[slot];
            int length = _lengths[slot];
            bool tooLong = _truncated[slot] || length > buffer.Length;
            Array.Copy(_payloads[slot], 0, buffer, 0, length < buffer.Length ? length : buffer.Length);
            return tooLong ? -2 : length;
        }

        /// <summary>Forgets everything (a new session).</summary>
        public void Clear()
        {
            _head = 0;
            _count = 0;
            _writing = -1;
        }
    }
}
