// Mirrors nanoFramework.System.Threading v1.1.52 (ns System.Threading, asm System.Threading); reference §15.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

namespace System.Threading
{
    public class CancellationTokenSource : IDisposable
    {
        public CancellationTokenSource()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public CancellationTokenSource(int millisecondsDelay)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public CancellationTokenSource(TimeSpan delay)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public CancellationToken Token
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public bool IsCancellationRequested
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public void Cancel()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Dispose()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public struct CancellationToken
    {
        public static CancellationToken None
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public bool IsCancellationRequested
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public bool CanBeCanceled
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public WaitHandle WaitHandle
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }
    }
}
