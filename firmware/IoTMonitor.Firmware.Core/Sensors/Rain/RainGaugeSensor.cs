namespace IoTMonitor.Firmware.Core.Sensors.Rain
{
    /// <summary>
    /// A tipping-bucket rain gauge read through a tip counter: one channel, <c>rain.total</c>, the
    /// rainfall since this boot began in mm (tips since boot × mm per tip).
    /// </summary>
    /// <remarks>
    /// Bucket sizes sold for the reed-switch gauges are 0.1, 0.2 and 0.5 mm per tip (the config's
    /// <c>mmPerTip</c>; README). The counter keeps counting while the node sleeps, so a read costs one
    /// bus transaction and no warm-up.
    /// </remarks>
    public sealed class RainGaugeSensor : ISensor
    {
        private readonly ITipCounter _counter;
        private readonly TipTally _tally;
        private readonly double _mmPerTip;
        private long _lastCount = -1;

        /// <summary>A gauge of <paramref name="mmPerTip"/> mm per tip read through <paramref name="counter"/>, accumulated in <paramref name="tally"/>.</summary>
        public RainGaugeSensor(ITipCounter counter, TipTally tally, double mmPerTip)
        {
            _counter = counter;
            _tally = tally;
            _mmPerTip = mmPerTip;
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 1; }
        }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return 0; }
        }

        /// <summary>True when the last read found the counter had lost its count (its power was cut).</summary>
        public bool CounterRestarted { get; private set; }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            return _mmPerTip > 0 ? ReadResult.Ok : ReadResult.Fault;
        }

        /// <inheritdoc />
        public ReadResult Start()
        {
            return ReadResult.Ok;
        }

        /// <inheritdoc />
        public ReadResult Read(double[] raw)
        {
            long count;
            bool restarted;
            ReadResult r = _counter.Read(out count, out restarted);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            CounterRestarted = restarted;
            _lastCount = count;
            int tips = _tally.Take(count, restarted, _counter.Modulus);
            raw[0] = tips * _mmPerTip;
            return ReadResult.Ok;
        }

        /// <summary>
        /// Arms the counter's alarm so that the node wakes when <paramref name="mm"/> more rain has
        /// fallen after the count this wake read: that many tips rounded up, at least one. Fault
        /// before a successful read or on a counter without an alarm output. <paramref name="reached"/>
        /// is true when the count read back after arming already got there (tips during the wake): the
        /// chip sets its flag only on an increment to the alarm count, so that alarm would never come.
        /// </summary>
        public ReadResult WakeAfterMm(double mm, out bool reached)
        {
            reached = false;
            if (_lastCount < 0)
            {
                return ReadResult.Fault;
            }

            long tips = (long)((mm / _mmPerTip) - 1e-9);
            if (tips * _mmPerTip < mm - 1e-9)
            {
                tips++;
            }

            if (tips < 1)
            {
                tips = 1;
            }

            ReadResult r = _counter.ArmAlarm((_lastCount + tips) % _counter.Modulus);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            long now;
            bool restarted;
            r = _counter.Read(out now, out restarted);
            if (r == ReadResult.Ok && !restarted)
            {
                long m = _counter.Modulus;
                reached = ((now - _lastCount) % m + m) % m >= tips;
            }

            return ReadResult.Ok;
        }

        /// <summary>Turns the counter's alarm off (no bus write when it was off).</summary>
        public ReadResult NoRainWake()
        {
            return _counter.DisarmAlarm();
        }

        /// <inheritdoc />
        public void Sleep()
        {
        }
    }
}
