// Mirrors nanoFramework.Runtime.Native v1.7.11 (ns nanoFramework.Runtime.Native; asm
// nanoFramework.Runtime.Native, which also adds System.Environment.TickCount64); reference §14.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

namespace nanoFramework.Runtime.Native
{
    public delegate void RebootEventHandler();

    public class Power
    {
#pragma warning disable CS0067 // declared to mirror the API; a shim never raises events
        public static event RebootEventHandler OnRebootEvent;
#pragma warning restore CS0067

        public static void RebootDevice(RebootOption rebootOption = RebootOption.NormalReboot)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static void RebootDevice(int exeConstraintTimeout, RebootOption rebootOption = RebootOption.NormalReboot)
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public enum RebootOption
    {
        NormalReboot = 0,
        EnterNanoBooter = 1,
        ClrOnly = 2,
        EnterProprietaryBooter = 8,
    }

    public static class GC
    {
        public static uint Run(bool compactHeap)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static void EnableGCMessages(bool enable)
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public static class Rtc
    {
        public static bool SetSystemTime(DateTime time)
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }
}

namespace System
{
    public static class Environment
    {
        public static long TickCount64
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }
    }
}
