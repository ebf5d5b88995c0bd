namespace IoTMonitor.Firmware.Core.Config
{
    /// <summary>
    /// A local threshold (<c>thresholds</c> entry): crossing it makes the node upload now instead
    /// of waiting for <c>uploadSec</c>.
    /// </summary>
    public sealed class ThresholdConfig
    {
        /// <summary>Quantity index.</summary>
        public int Quantity;

        /// <summary>True when <see cref="Above"/> is set.</summary>
        public bool HasAbove;

        /// <summary>Upload when a value exceeds this.</summary>
        public double Above;

        /// <summary>True when <see cref="Below"/> is set.</summary>
        public bool HasBelow;

        /// <summary>Upload when a value falls below this.</summary>
        public double Below;

        /// <summary>True when <paramref name="value"/> crosses the threshold.</summary>
        public bool IsCrossed(double value)
        {
            return (HasAbove && value > Above) || (HasBelow && value < Below);
        }
    }
}
