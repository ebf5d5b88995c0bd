namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// A sensor driver: one physical device that yields one or more values per measurement
    /// (BME280: temperature, humidity, pressure). Drivers never block and never allocate per read.
    /// </summary>
    /// <remarks>
    /// Lifecycle, driven by the node cycle (Node/NodeCycle) once per wake:
    /// <list type="number">
    /// <item><see cref="Initialize"/> once after every wake (deep sleep loses peripheral state):
    /// check the device answers (chip id, presence pulse) and configure it. A non-Ok result marks
    /// the sensor failed for this wake; its channels are queued with NO_VALUE.</item>
    /// <item><see cref="Start"/> powers the device up or triggers a measurement. The cycle then
    /// waits <see cref="WarmupMs"/> in its WarmingUp state (fan spin-up, heater, probe settling)
    /// before the first <see cref="Read"/>; drivers do not sleep themselves.</item>
    /// <item><see cref="Read"/> is called once per sample (the sampler takes N samples for a median
    /// or trimmed mean). It returns <see cref="ReadResult.NotReady"/> while a conversion runs,
    /// in which case the sampler retries after a short delay.</item>
    /// <item><see cref="Sleep"/> powers the device down before the node deep-sleeps. Safe to call
    /// in any state, also after a failed Initialize.</item>
    /// </list>
    /// </remarks>
    public interface ISensor
    {
        /// <summary>Number of values one <see cref="Read"/> yields (1 for a single probe).</summary>
        int ChannelCount { get; }

        /// <summary>
        /// Time from <see cref="Start"/> until readings are valid, in milliseconds (datasheet
        /// figure; 0 when none). Reads before that are flagged WARMING_UP.
        /// </summary>
        int WarmupMs { get; }

        /// <summary>Checks the device answers and configures it. Called once per wake.</summary>
        ReadResult Initialize();

        /// <summary>Powers up / triggers a measurement. Non-blocking.</summary>
        ReadResult Start();

        /// <summary>
        /// Reads one sample of every channel into <paramref name="raw"/> (length ≥
        /// <see cref="ChannelCount"/>), in the driver's raw unit (volts, counts, or the chip's
        /// compensated unit). Values are written only when the result has a value
        /// (<see cref="ReadResultQuality.HasValue"/>). Never allocates, never throws for a
        /// device error.
        /// </summary>
        ReadResult Read(double[] raw);

        /// <summary>Powers the device down before deep sleep. Safe in any state.</summary>
        void Sleep();
    }
}
