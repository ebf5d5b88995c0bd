namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>Reset reasons as sent in <c>h.rst</c> and the status message (protocol §4).</summary>
    public enum ResetReason
    {
        /// <summary>0: unknown.</summary>
        Unknown = 0,

        /// <summary>1: power-on.</summary>
        PowerOn = 1,

        /// <summary>2: deep-sleep wake (not a cold start: the boot counter stays).</summary>
        DeepSleepWake = 2,

        /// <summary>3: brown-out.</summary>
        BrownOut = 3,

        /// <summary>4: watchdog.</summary>
        Watchdog = 4,

        /// <summary>5: panic.</summary>
        Panic = 5,

        /// <summary>6: software reset.</summary>
        Software = 6,
    }
}
