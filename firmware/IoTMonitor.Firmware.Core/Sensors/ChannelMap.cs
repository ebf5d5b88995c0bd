namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// A driver seen through the config's quantity list: channel i of this sensor is the driver's
    /// channel that yields the config's i-th quantity, so a config may list any of a driver's
    /// quantities in any order (the soil config takes EC, N, P, K of the 7-in-1 probe). A quantity
    /// the driver does not yield reads NaN, which the sampler sends as NO_VALUE. Reads into its own
    /// buffer, allocated once: nothing per read.
    /// </summary>
    public sealed class ChannelMap : ISensor
    {
        private readonly ISensor _driver;
        private readonly int[] _channelOf;
        private readonly double[] _buffer;

        private ChannelMap(ISensor driver, int[] channelOf, int driverChannels)
        {
            _driver = driver;
            _channelOf = channelOf;
            _buffer = new double[driverChannels];
        }

        /// <summary>The driver behind the map.</summary>
        public ISensor Driver
        {
            get { return _driver; }
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return _channelOf.Length; }
        }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return _driver.WarmupMs; }
        }

        /// <summary>
        /// <paramref name="driver"/> itself when <paramref name="quantities"/> are the first of its
        /// <paramref name="layout"/> in order (or the layout is unknown), else a map onto it.
        /// </summary>
        public static ISensor Fit(ISensor driver, int[] layout, int[] quantities)
        {
            if (driver == null || layout == null)
            {
                return driver;
            }

            int[] channelOf = new int[quantities.Length];
            bool identity = quantities.Length <= layout.Length;
            for (int i = 0; i < quantities.Length; i++)
            {
                channelOf[i] = -1;
                for (int ch = 0; ch < layout.Length; ch++)
                {
                    if (layout[ch] == quantities[i])
                    {
                        channelOf[i] = ch;
                        break;
                    }
                }

                identity = identity && channelOf[i] == i;
            }

            int driverChannels = driver.ChannelCount > layout.Length ? driver.ChannelCount : layout.Length;
            return identity ? driver : new ChannelMap(driver, channelOf, driverChannels);
        }

        /// <summary>The driver's channel of configured quantity <paramref name="index"/>, -1 when it yields none.</summary>
        public int ChannelOf(int index)
        {
            return _channelOf[index];
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            return _driver.Initialize();
        }

        /// <inheritdoc />
        public ReadResult Start()
        {
            return _driver.Start();
        }

        /// <inheritdoc />
        public ReadResult Read(double[] raw)
        {
            ReadResult r = _driver.Read(_buffer);
            if (ReadResultQuality.HasValue(r))
            {
                for (int i = 0; i < _channelOf.Length; i++)
                {
                    int ch = _channelOf[i];
                    raw[i] = ch >= 0 ? _buffer[ch] : double.NaN;
                }
            }

            return r;
        }

        /// <inheritdoc />
        public void Sleep()
        {
            _driver.Sleep();
        }
    }
}
