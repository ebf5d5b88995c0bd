// Mirrors nanoFramework.System.IO.FileSystem v1.1.93 and nanoFramework.System.IO.Streams v1.1.96
// (ns System.IO; asms System.IO.FileSystem and System.IO.Streams); reference §13.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

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

        public void Close()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Dispose()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public enum SeekOrigin
    {
        Begin = 0,
        Current = 1,
        End = 2,
    }

    public class FileStream : Stream
    {
        public FileStream(string path, FileMode mode)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public FileStream(string path, FileMode mode, FileAccess access)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public FileStream(string path, FileMode mode, FileAccess access, FileShare share)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public FileStream(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public override long Length
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public override long Position
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public override void Flush()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public enum FileMode
    {
        CreateNew = 1,
        Create,
        Open,
        OpenOrCreate,
        Truncate,
        Append,
    }

    public enum FileAccess
    {
        Read = 1,
        Write,
        ReadWrite,
    }

    public enum FileShare
    {
        None,
        Read,
        Write,
        ReadWrite,
    }

    public static class File
    {
        public static bool Exists(string path)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static void Delete(string path)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static byte[] ReadAllBytes(string path)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static void WriteAllBytes(string path, byte[] bytes)
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public static class Directory
    {
        public static void CreateDirectory(string path)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static bool Exists(string path)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static string[] GetFiles(string path)
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public sealed class DriveInfo
    {
        public DriveInfo(string driveName)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public string Name
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public long TotalSize
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public static DriveInfo[] GetDrives()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Refresh()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }
}
