// Mirrors nanoFramework.System.Net v1.11.60 (asm System.Net; ns nanoFramework.Networking and
// System.Security.Cryptography.X509Certificates); reference §11.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

namespace nanoFramework.Networking
{
    public enum NetworkHelperStatus
    {
        None,
        Started,
        NetworkIsReady,
        FailedNoNetworkInterface,
        TokenExpiredWaitingIPAddress,
        TokenExpiredWaitingDateTime,
        ErrorConnetingToWiFiWhileScanning,
        ExceptionOccurred,
        Reconnecting,
    }
}

namespace System.Security.Cryptography.X509Certificates
{
    public class X509Certificate
    {
        public X509Certificate()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public X509Certificate(byte[] certificate)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public X509Certificate(string certificate)
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }
}
