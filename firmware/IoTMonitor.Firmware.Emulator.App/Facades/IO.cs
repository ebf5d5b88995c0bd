// System.IO.FileSystem v1.1.93 / System.IO.Streams v1.1.96 on the model's LittleFS volume
// (reference §1–3, §13; see LittleFsVolume): writes reach flash only at Close/Dispose, Flush is
// fflush only, TotalSize is -1, Move onto an existing file throws. The BCL's FileMode/FileAccess/
// FileShare/SeekOrigin/IOException are used as they are (same names and values).
using System;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Flash;

namespace System.IO
{
    public abstract class Stream : IDisposable
    {
        public abstract long Length { get; }

        public abstract long Position { get; set; }

        public abstract void Flush();

        public abstract int Read(byte[] buffer, int offset, int count);

        public abstract long Seek(long offset, SeekOrigin origin);

        public abstract void Write(byte[] buffer, int offset, int count);

        public virtual void SetLength(long value)
        {
            throw new NotSupportedException();
        }

        public void Close()
        {
            Dispose();
        }

        public void Dispose()
        {
            Dispose(true);
        }

        protected virtual void Dispose(bool disposing)
        {
        }
    }

    public class FileStream : Stream
    {
        private readonly LittleFsVolume.OpenFile _file;
        private readonly bool _append;
        private long _position;
        private bool _closed;

        public FileStream(string path, FileMode mode)
            : this(path, mode, mode == FileMode.Append ? FileAccess.Write : FileAccess.ReadWrite, FileShare.Read)
        {
        }

        public FileStream(string path, FileMode mode, FileAccess access)
            : this(path, mode, access, FileShare.Read)
        {
        }

        public FileStream(string path, FileMode mode, FileAccess access, FileShare share)
            : this(path, mode, access, share, 0)
        {
        }

        public FileStream(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize)
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("file-open", path);
            bool create = mode == FileMode.Create || mode == FileMode.CreateNew || mode == FileMode.OpenOrCreate || mode == FileMode.Append;
            bool truncate = mode == FileMode.Create || mode == FileMode.Truncate;
            _file = d.Flash.Open(path, create, truncate, mode == FileMode.CreateNew);
            _append = mode == FileMode.Append;
            _position = _append ? _file.Length : 0;
        }

        public override long Length
        {
            get { return _file.Length; }
        }

        public override long Position
        {
            get { return _position; }
            set { _position = value; }
        }

        public override void Flush()
        {
            // fflush only: nothing becomes durable (reference §2).
            Esp32Device.Current.Step("file-flush");
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Esp32Device.Current.Step("file-read");
            int n = _file.Read(_position, buffer, offset, count);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            long basis = origin == SeekOrigin.Begin ? 0 : origin == SeekOrigin.Current ? _position : _file.Length;
            _position = basis + offset;
            return _position;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Esp32Device.Current.Step("file-write", _file.Name);
            if (_append && _position < _file.Length)
            {
                _position = _file.Length;
            }

            _file.Write(_position, buffer, offset, count);
            _position += count;
        }

        public override void SetLength(long value)
        {
            Esp32Device.Current.Step("file-write", _file.Name);
            _file.SetLength(value);
        }

        protected override void Dispose(bool disposing)
        {
            if (_closed)
            {
                return;
            }

            Esp32Device.Current.Step("file-close", _file.Name);
            _closed = true;
            _file.Close(); // the commit (lfs_file_close)
        }
    }

    public static class File
    {
        public static bool Exists(string path)
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("file-stat");
            return d.Flash.Exists(path);
        }

        public static void Delete(string path)
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("file-delete", path);
            d.Flash.Delete(path);
        }

        public static void Move(string sourceFileName, string destFileName)
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("file-move", destFileName);
            d.Flash.Move(sourceFileName, destFileName);
        }

        public static byte[] ReadAllBytes(string path)
        {
            using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Read))
            {
                byte[] b = new byte[f.Length];
                int done = 0;
                while (done < b.Length)
                {
                    done += f.Read(b, done, b.Length - done);
                }

                return b;
            }
        }

        public static void WriteAllBytes(string path, byte[] bytes)
        {
            using (FileStream f = new FileStream(path, FileMode.Create, FileAccess.Write))
            {
                f.Write(bytes, 0, bytes.Length);
            }
        }
    }

    public static class Directory
    {
        public static void CreateDirectory(string path)
        {
        }

        public static bool Exists(string path)
        {
            return path.StartsWith("I:", StringComparison.OrdinalIgnoreCase);
        }

        public static string[] GetFiles(string path)
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("file-list");
            return System.Linq.Enumerable.ToArray(d.Flash.Files);
        }
    }

    public sealed class DriveInfo
    {
        private readonly string _name;

        public DriveInfo(string driveName)
        {
            _name = driveName;
        }

        public string Name
        {
            get { return _name; }
        }

        /// <summary>-1 on ESP32: the LittleFS driver's GetSizeInfo returns -1 (reference §1).</summary>
        public long TotalSize
        {
            get { return -1; }
        }

        public static DriveInfo[] GetDrives()
        {
            return new DriveInfo[] { new DriveInfo("I:") };
        }

        public void Refresh()
        {
        }
    }
}
