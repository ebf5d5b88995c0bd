// Mirrors nanoFramework.Networking.Sntp v1.6.42 (ns nanoFramework.Networking); reference §11.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

namespace nanoFramework.Networking
{
    public class Sntp
    {
        public static bool IsStarted
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public static string Server1
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public static string Server2
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public static void Start()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static void Stop()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static void UpdateNow()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }
}
