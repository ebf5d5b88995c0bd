using System.IO;
using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IFileStore"/> on the ESP32's internal LittleFS volume <c>I:</c> through
    /// System.IO.FileSystem. Every operation opens, works and closes, because LittleFS commits
    /// only at close: <c>FileStream.Flush()</c> is fflush only and the deep-sleep path closes
    /// nothing (docs/references.md, "Flash storage"). Sizes are never asked of DriveInfo: its
    /// TotalSize is −1 on ESP32 and it has no free-space member; the queue keeps its own budget and
    /// reads an <see cref="IOException"/> on write as "full".
    /// </summary>
    public sealed class LittleFsFileStore : IFileStore
    {
        /// <summary>The internal flash volume's root.</summary>
        public const string Root = "I:\\";

        /// <inheritdoc />
        public string[] List()
        {
            string[] paths = Directory.GetFiles(Root);
            for (int i = 0; i < paths.Length; i++)
            {
                int slash = paths[i].LastIndexOf('\\');
                paths[i] = slash >= 0 ? paths[i].Substring(slash + 1) : paths[i];
            }

            return paths;
        }

        /// <inheritdoc />
        public int Read(string name, byte[] buffer, int offset, int count)
        {
            string path = Root + name;
            if (!File.Exists(path))
            {
                return -1;
            }

            FileStream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            try
            {
                int done = 0;
                while (done < count)
                {
                    int n = file.Read(buffer, offset + done, count - done);
                    if (n <= 0)
                    {
                        break;
                    }

                    done += n;
                }

                return done;
            }
            finally
            {
                file.Close();
            }
        }

        /// <inheritdoc />
        public void Append(string name, byte[] buffer, int offset, int count)
        {
            FileStream file = new FileStream(Root + name, FileMode.Append, FileAccess.Write, FileShare.None);
            try
            {
                file.Write(buffer, offset, count);
            }
            finally
            {
                file.Close();
            }
        }

        /// <inheritdoc />
        public void Replace(string name, byte[] buffer, int offset, int count)
        {
            // FileMode.Create truncates at close: the old content stays until the new is committed.
            FileStream file = new FileStream(Root + name, FileMode.Create, FileAccess.Write, FileShare.None);
            try
            {
                file.Write(buffer, offset, count);
            }
            finally
            {
                file.Close();
            }
        }

        /// <inheritdoc />
        public void Delete(string name)
        {
            string path = Root + name;
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }
}
