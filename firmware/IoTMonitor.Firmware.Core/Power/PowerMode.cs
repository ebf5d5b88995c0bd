namespace IoTMonitor.Firmware.Core.Power
{
    /// <summary>
    /// The node's low-battery mode (<see cref="PowerPolicy"/>), sent as health <c>pwr</c> (protocol §4;
    /// omitted when Normal). The numbers are part of the contract.
    /// </summary>
    public enum PowerMode
    {
        /// <summary>0: the config's intervals, every sensor.</summary>
        Normal = 0,

        /// <summary>1: uploads stretched (<c>uploadSec</c> × <c>power.stretch</c>); sampling as configured.</summary>
        Economy = 1,

        /// <summary>2: sampling and uploads stretched; particle and CO2 sensors left off.</summary>
        Survival = 2,

        /// <summary>3: after one last report, no Wi-Fi and no sensors: a wake every <c>power.checkSec</c> reads the battery only.</summary>
        Cutoff = 3,
    }
}
