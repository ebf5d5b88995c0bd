namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>The named states of one wake (<see cref="NodeCycle"/>), in the order a normal wake visits them.</summary>
    public enum NodeCycleState
    {
        /// <summary>Load persistent state; count a cold start.</summary>
        Boot = 0,

        /// <summary>Parse the stored device config and the last remote config; defaults on error.</summary>
        LoadConfig,

        /// <summary>Initialize and start the sensors (if a sample is due).</summary>
        StartSensors,

        /// <summary>Wait the longest sensor warm-up.</summary>
        WarmingUp,

        /// <summary>Take the sampling round.</summary>
        Sample,

        /// <summary>Append the readings to the flash queue; check local thresholds.</summary>
        Persist,

        /// <summary>Batch full, threshold crossed, max age reached or upload_now → connect; else sleep.</summary>
        DecideUpload,

        /// <summary>WiFi + MQTT connect with timeout; on failure schedule a backoff.</summary>
        Connect,

        /// <summary>Upload the backlog oldest-first in batches at QoS 1, committing each on PUBACK.</summary>
        Upload,

        /// <summary>Apply retained config and commands; answer config/ack and cmd/ack.</summary>
        Receive,

        /// <summary>Publish status sleeping, disconnect, power sensors down, deep-sleep.</summary>
        Sleep,

        /// <summary>The wake is over.</summary>
        Done,
    }
}
