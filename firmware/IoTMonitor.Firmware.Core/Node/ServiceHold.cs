namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// Service mode: the node stays awake and connected for a technician (deployment, file
    /// transfer, <c>iotmon check</c>) instead of deep-sleeping, samples and uploads every
    /// <see cref="RoundSec"/>, and returns to its schedule when <c>serviceMinutes</c> have passed
    /// or a <c>reboot</c> command arrives (firmware/README.md, "Service mode").
    /// </summary>
    /// <remarks>
    /// Entered when the service button (the EXT0 wake pin, active low) is held for
    /// <see cref="HoldMs"/> at a button wake or at power-on. A wake is a full reboot and there is no
    /// RTC memory (reference §5), so the hold lives only in this wake: measured on the tick count,
    /// never across a sleep.
    /// </remarks>
    public sealed class ServiceHold
    {
        /// <summary>How long the button must stay low after the wake to enter service mode, ms.</summary>
        public const int HoldMs = 2000;

        /// <summary>Sampling and upload interval while in service mode, seconds.</summary>
        public const int RoundSec = 10;

        private bool _active;
        private long _untilMs;

        /// <summary>True while the hold is in force (between <see cref="Begin"/> and its end).</summary>
        public bool Active
        {
            get { return _active; }
        }

        /// <summary>
        /// True when a wake should enter service mode: the wake came from the button pin or from a
        /// power-on/reset (a technician may hold the button while powering the node), and the button
        /// stayed low for at least <see cref="HoldMs"/> (<paramref name="heldMs"/>, measured by the host).
        /// A timer wake never does: a stuck or shorted button must not keep a node awake every wake.
        /// </summary>
        public static bool Requested(bool pinOrPowerOnWake, int heldMs)
        {
            return pinOrPowerOnWake && heldMs >= HoldMs;
        }

        /// <summary>Starts the hold at tick <paramref name="nowMs"/> for <paramref name="minutes"/>.</summary>
        public void Begin(long nowMs, int minutes)
        {
            _active = minutes > 0;
            _untilMs = nowMs + ((long)minutes * 60000);
        }

        /// <summary>Ends the hold now (a reboot command, or its time is up).</summary>
        public void End()
        {
            _active = false;
        }

        /// <summary>Milliseconds of the hold left at <paramref name="nowMs"/> (0 when not active or over).</summary>
        public long LeftMs(long nowMs)
        {
            if (!_active)
            {
                return 0;
            }

            long left = _untilMs - nowMs;
            return left > 0 ? left : 0;
        }

        /// <summary>
        /// True when another service round should run at <paramref name="nowMs"/>: the hold is active
        /// and a whole round still fits before it ends; otherwise it ends and the node goes back to
        /// its schedule.
        /// </summary>
        public bool AnotherRound(long nowMs)
        {
            if (_active && _untilMs - nowMs >= (long)RoundSec * 1000)
            {
                return true;
            }

            _active = false;
            return false;
        }
    }
}
