using IoTMonitor.Firmware.Core.Sensors.Sensirion;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Sensirion;

public class SensirionCrc8Tests
{
    [Theory]
    [InlineData(0xBEEF, 0x92)] // datasheet example (SCD30/SCD4x "Checksum Calculation"), reference B4
    [InlineData(0x0000, 0x81)] // reference B4, verified with Sensirion's routine
    public void Word_crc_matches_the_datasheet(int word, int crc)
    {
        var b = new byte[3];
        SensirionCrc8.WriteWord(b, 0, word);
        Assert.Equal(crc, b[2]);
        Assert.True(SensirionCrc8.TryReadWord(b, 0, out int back));
        Assert.Equal(word, back);
        b[1] ^= 0x04;
        Assert.False(SensirionCrc8.TryReadWord(b, 0, out _));
    }

    [Fact]
    public void Float_from_words_matches_the_SCD30_example_and_BitConverter()
    {
        // Reference B4: 0x43DB8C2E = 439.09 ppm (SCD30 interface description, read measurement);
        // the exact single is 439.0951538…, which the document prints truncated to 2 decimals.
        double co2 = SensirionCrc8.FloatFromWords(0x43DB, 0x8C2E);
        Assert.Equal(439.0951538, co2, 7);
        Assert.Equal(439.09, Math.Truncate(co2 * 100) / 100);
        var rng = new Random(30);
        var bytes = new byte[4];
        for (int i = 0; i < 100_000; i++)
        {
            rng.NextBytes(bytes);
            uint bits = BitConverter.ToUInt32(bytes);
            double expected = BitConverter.UInt32BitsToSingle(bits);
            double actual = SensirionCrc8.FloatFromWords((int)(bits >> 16), (int)(bits & 0xFFFF));
            Assert.True(expected.Equals(actual), $"{bits:X8}: {expected} vs {actual}");
        }
    }
}
