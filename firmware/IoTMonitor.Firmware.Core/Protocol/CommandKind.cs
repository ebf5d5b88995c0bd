namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>Commands of protocol §7.</summary>
    public enum CommandKind
    {
        /// <summary>Not a command this firmware knows (ack err 1).</summary>
        Unknown = 0,

        /// <summary><c>sample_now</c>: take a sampling round at the next wake (1 s).</summary>
        SampleNow,

        /// <summary><c>upload_now</c>: upload the queue now, ignoring the schedule.</summary>
        UploadNow,

        /// <summary><c>reboot</c>: software reset after the acks.</summary>
        Reboot,

        /// <summary><c>clear_queue</c> with <c>"confirm":true</c>: drop every queued reading.</summary>
        ClearQueue,

        /// <summary><c>set_interval</c> with <c>"sec"</c>: sampling interval override (10–86400 s).</summary>
        SetInterval,

        /// <summary><c>time_sync</c>: SNTP now.</summary>
        TimeSync,
    }
}
