namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>What one wake did (for hosts that simulate, and for tests).</summary>
    public sealed class NodeCycleResult
    {
        /// <summary>Seconds the node asked to deep-sleep.</summary>
        public int SleepSeconds;

        /// <summary>Readings sampled and queued in this wake.</summary>
        public int Sampled;

        /// <summary>Readings acknowledged by the broker in this wake.</summary>
        public int Uploaded;

        /// <summary>True when a connect was attempted.</summary>
        public bool Connected;

        /// <summary>Last link failure in this wake (Ok when none).</summary>
        public LinkStatus LinkError;

        /// <summary>True when the awake cap cut the wake short.</summary>
        public bool AwakeCapHit;

        /// <summary>True when a reboot command was executed.</summary>
        public bool Rebooted;

        /// <summary>The wake entered service mode (ServiceHold).</summary>
        public bool Service;

        /// <summary>Config error in force (0 none).</summary>
        public int ConfigError;

        /// <summary>Low-battery mode in force at the end of the wake (Power/PowerMode; 0 Normal).</summary>
        public int PowerMode;

        /// <summary>In event mode at the end of the wake (Node/EventMode).</summary>
        public bool EventMode;

        /// <summary>The rain counter's alarm was armed to wake the node when event mode's rainfall is reached.</summary>
        public bool RainWakeArmed;

        /// <summary>+1 when this wake entered event mode, −1 when it left it, 0 otherwise.</summary>
        public int EventChange;

        /// <summary>An SNTP sync of the RTC was noted in this wake (first sync or re-sync).</summary>
        public bool ClockSynced;

        /// <summary>The node's clock was unset and was set from the battery-backed RTC in this wake.</summary>
        public bool ClockFromRtc;

        /// <summary>Readings discarded in this wake because they cannot be placed in time (health unp).</summary>
        public int Unplaceable;

        /// <summary>Clears every field for the next wake.</summary>
        public void Reset()
        {
            SleepSeconds = 0;
            Sampled = 0;
            Uploaded = 0;
            Connected = false;
            LinkError = LinkStatus.Ok;
            AwakeCapHit = false;
            Rebooted = false;
            Service = false;
            ConfigError = 0;
            PowerMode = 0;
            EventMode = false;
            RainWakeArmed = false;
            EventChange = 0;
            ClockSynced = false;
            ClockFromRtc = false;
            Unplaceable = 0;
        }
    }
}
