using IoTMonitor.Gateway.Alerts.NoticeText;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.NoticeText;

/// <summary>Segment counts at the limits of 3GPP TS 23.038 / 23.040 (docs/references.md, Alerts: SMS).</summary>
public sealed class SmsSegmentsTests
{
    [Theory]
    [InlineData(70, 1)] // one UCS-2 message: 140 octets / 2
    [InlineData(71, 2)] // concatenated: 67 + 4
    [InlineData(134, 2)] // 67 + 67
    [InlineData(135, 3)]
    [InlineData(201, 3)]
    [InlineData(202, 4)]
    public void Chinese_text_is_ucs2_with_70_in_one_message_and_67_per_part(int length, int parts)
    {
        var split = SmsSegments.Split(new string('水', length));
        Assert.Equal(SmsEncoding.Ucs2, split.Encoding);
        Assert.Equal(parts, split.Count);
        Assert.Equal(length, split.Parts.Sum(p => p.Length));
        if (parts > 1)
        {
            Assert.All(split.Parts.SkipLast(1), p => Assert.Equal(SmsSegments.Ucs2Part, p.Length));
        }
    }

    [Theory]
    [InlineData(160, 1)] // one GSM 7-bit message: 140 octets = 160 septets
    [InlineData(161, 2)] // concatenated: 153 + 8
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    public void English_text_is_gsm7_with_160_in_one_message_and_153_per_part(int length, int parts)
    {
        var split = SmsSegments.Split(new string('a', length));
        Assert.Equal(SmsEncoding.Gsm7, split.Encoding);
        Assert.Equal(parts, split.Count);
        if (parts > 1)
        {
            Assert.Equal(SmsSegments.Gsm7Part, split.Parts[0].Length);
        }
    }

    [Fact]
    public void One_character_outside_the_gsm_alphabet_makes_the_whole_message_ucs2()
    {
        Assert.Equal(1, SmsSegments.Split(new string('a', 160)).Count);
        var mixed = SmsSegments.Split(new string('a', 159) + "水");
        Assert.Equal(SmsEncoding.Ucs2, mixed.Encoding);
        Assert.Equal(3, mixed.Count); // 160 UCS-2 characters: 67 + 67 + 26
        Assert.Equal(SmsEncoding.Ucs2, SmsSegments.EncodingOf("25 °C")); // ° is not in the 7-bit alphabet
        Assert.Equal(SmsEncoding.Gsm7, SmsSegments.EncodingOf("Tést @ £5, Ñ ¿¡ ΔΩ"));
    }

    [Fact]
    public void Extension_characters_take_two_septets_and_are_not_split()
    {
        Assert.Equal(1, SmsSegments.Split(new string('€', 80)).Count); // 160 septets
        var two = SmsSegments.Split(new string('€', 81)); // 162 septets
        Assert.Equal(2, two.Count);
        Assert.Equal(76, two.Parts[0].Length); // 152 septets: a 77th € would need 154 > 153
        Assert.Equal(2, SmsSegments.Units("[", SmsEncoding.Gsm7));
    }

    [Fact]
    public void The_gsm_default_alphabet_has_127_characters_besides_the_escape()
    {
        Assert.Equal(127, SmsSegments.Gsm7Basic.Distinct().Count());
        Assert.Equal(SmsSegments.Gsm7Basic.Length, SmsSegments.Gsm7Basic.Distinct().Count());
        Assert.Equal(10, SmsSegments.Gsm7Extension.Length);
        Assert.Empty(SmsSegments.Gsm7Extension.Intersect(SmsSegments.Gsm7Basic));
    }

    [Fact]
    public void A_surrogate_pair_is_never_split_across_parts()
    {
        var text = "水水" + string.Concat(Enumerable.Repeat("😀", 35)); // 72 UTF-16 units
        var split = SmsSegments.Split(text);
        Assert.Equal(2, split.Count);
        Assert.Equal(66, split.Parts[0].Length); // 2 + 32 pairs; the 33rd pair would make 68 > 67
        Assert.All(split.Parts, p => Assert.False(char.IsHighSurrogate(p[^1])));
    }
}
