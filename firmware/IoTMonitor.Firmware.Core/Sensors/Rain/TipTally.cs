namespace IoTMonitor.Firmware.Core.Sensors.Rain
{
    /// <summary>
    /// Tips counted since this boot began, from successive reads of a wrapping hardware counter
    /// (protocol §8 "Rainfall"). Kept in the node state (Node/NodeState), so it survives deep sleep
    /// with the state's one write per wake and never costs a flash write per tip.
    /// </summary>
    public sealed class TipTally
    {
        /// <summary>Tips since this boot began.</summary>
        public int Tips;

        /// <summary>The counter's value at the last read (the reference for the next).</summary>
        public long LastCount;

        /// <summary>False until the first read ever: a fresh node has no reference yet.</summary>
        public bool Known;

        /// <summary>
        /// A cold start: the tips restart at 0, the reference stays, so the tips counted between
        /// the previous boot's last read and this reset go into this boot instead of being lost.
        /// </summary>
        public void StartBoot()
        {
            Tips = 0;
        }

        /// <summary>
        /// Takes a read of the counter (<paramref name="count"/> in 0 … <paramref name="modulus"/> − 1)
        /// and returns the tips since boot. A counter that <paramref name="restarted"/> counted from 0
        /// at its power-up, so all of <paramref name="count"/> is new; the first read ever only sets
        /// the reference (what the counter held before cannot be placed in time).
        /// </summary>
        public int Take(long count, bool restarted, long modulus)
        {
            if (count < 0 || count >= modulus)
            {
                return Tips;
            }

            if (restarted)
            {
                Tips += (int)count;
            }
            else if (Known)
            {
                // A wrap is not a loss: the difference modulo the counter's width. A gauge would
                // have to tip `modulus` times between two reads to hide a wrap.
                long delta = count - LastCount;
                if (delta < 0)
                {
                    delta += modulus;
                }

                Tips += (int)delta;
            }

            LastCount = count;
            Known = true;
            return Tips;
        }
    }
}
