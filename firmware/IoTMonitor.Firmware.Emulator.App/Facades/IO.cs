// System.IO.FileSystem v1.1.93 / System.IO.Streams v1.1.96 on the model's LittleFS volume
// (reference §1–3, §13; see LittleFsVolume): writes reach flash only at Close/Dispose, Flush is
// fflush only, TotalSize is -1, Move onto an existing file throws. The BCL's FileMode/FileAccess/
// FileShare/SeekOrigin/IOException are used as they are (same names and values).
using System;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

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
        private readonly LittleFsFileStream _file;
        private readonly string _path;
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
            _path = path;
            _file = d.Flash.Open(Volume.Name(path), mode, access, share);
        }

        public override long Length
        {
            get { return _file.Length; }
        }

        public override long Position
        {
            get { return _file.Position; }
            set { _file.Position = value; }
        }

        public override void Flush()
        {
            // fflush only: nothing becomes durable (reference §2).
            Esp32Device.Current.Step("file-flush");
            _file.Flush();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Esp32Device.Current.Step("file-read");
            return _file.Read(buffer, offset, count);
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            return _file.Seek(offset, origin);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Esp32Device.Current.Step("file-write", _path);
            _file.Write(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            if (_closed)
            {
                return;
            }

            Esp32Device.Current.Step("file-close", _path);
            _closed = true;
            _file.Dispose(); // the commit (lfs_file_close)
        }
    }

    /// <summary>Paths of the one volume, I: (target_FileSystem.cpp FS_AddVolumes), to the model's flat names and back.</summary>
    internal static class Volume
    {
        public const string Root = "I:\\";

        public static string Name(string path)
        {
            string p = path.Replace('/', '\\');
            if (!p.StartsWith(Root, StringComparison.OrdinalIgnoreCase))
            {
                throw new IOException("only the I: volume exists (target_FileSystem.cpp FS_AddVolumes): " + path);
            }

            return p.Substring(Root.Length);
        }
    }

    public static class File
    {
        public static bool Exists(string path)
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("file-stat");
            return d.Flash.Exists(Volume.Name(path));
        }

        public static void Delete(string path)
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("file-delete", path);
            d.Flash.Delete(Volume.Name(path));
        }

        public static void Move(string sourceFileName, string destFileName)
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("file-move", destFileName);
            d.Flash.Move(Volume.Name(sourceFileName), Volume.Name(destFileName));
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
            string[] names = d.Flash.List();
            for (int i = 0; i < names.Length; i++)
            {
                names[i] = Volume.Root + names[i];
            }

            return names;
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
