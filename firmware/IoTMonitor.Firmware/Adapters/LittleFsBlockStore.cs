using System;
using System.IO;
using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IBlockStore"/> as one preallocated file on the ESP32's internal LittleFS volume
    /// <c>I:</c> (System.IO.FileSystem, reference §13). LittleFS is power-loss safe and wear
    /// levels; the core's CRC records handle a torn write. The file is opened once per wake.
    /// </summary>
    /// <remarks>
    /// The volume is small (256 KB with 4 MB flash) and also holds the device config, WiFi and
    /// certificate blocks (<c>con_*</c> files), and nanoFramework offers no free-space property:
    /// the constructor refuses a region larger than <see cref="MaxShareOfVolume"/> of the volume's
    /// total size, so a mis-sized queue fails loudly at boot instead of filling the volume.
    /// </remarks>
    public sealed class LittleFsBlockStore : IBlockStore, IDisposable
    {
        /// <summary>The internal flash volume.</summary>
        public const string Drive = "I:";

        /// <summary>Largest share of the volume one store may take (1/MaxShareOfVolume).</summary>
        public const int MaxShareOfVolume = 4;

        private readonly FileStream _file;
        private readonly int _size;

        /// <summary>Opens (creating and zero-filling on first use) <paramref name="path"/> as a <paramref name="size"/>-byte region.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The region does not fit the volume's budget.</exception>
        public LittleFsBlockStore(string path, int size)
        {
            long total = new DriveInfo(Drive).TotalSize;
            if (size <= 0 || (long)size * MaxShareOfVolume > total)
            {
                throw new ArgumentOutOfRangeException("size", "store of " + size + " bytes does not fit 1/" + MaxShareOfVolume + " of " + Drive + " (" + total + " bytes)");
            }

            _size = size;
            _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            long length = _file.Length;
            if (length < size)
            {
                byte[] zeros = new byte[256];
                _file.Seek(length, SeekOrigin.Begin);
                while (length < size)
                {
                    int n = size - length < zeros.Length ? (int)(size - length) : zeros.Length;
                    _file.Write(zeros, 0, n);
                    length += n;
                }

                _file.Flush();
            }
        }

        /// <inheritdoc />
        public int Size
        {
            get { return _size; }
        }

        /// <inheritdoc />
        public void Read(int address, byte[] buffer, int offset, int count)
        {
            _file.Seek(address, SeekOrigin.Begin);
            int done = 0;
            while (done < count)
            {
                int n = _file.Read(buffer, offset + done, count - done);
                if (n <= 0)
                {
                    throw new IOException("short read at " + (address + done));
                }

                done += n;
            }
        }

        /// <inheritdoc />
        public void Write(int address, byte[] buffer, int offset, int count)
        {
            _file.Seek(address, SeekOrigin.Begin);
            _file.Write(buffer, offset, count);
        }

        /// <inheritdoc />
        public void Flush()
        {
            _file.Flush();
        }

        /// <summary>Closes the file.</summary>
        public void Dispose()
        {
            _file.Dispose();
        }
    }
}
