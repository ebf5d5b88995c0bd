namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>How an SMS is encoded on the air interface.</summary>
public enum SmsEncoding
{
    /// <summary>GSM 7-bit default alphabet: 160 characters in one message, 153 per part of a concatenated one.</summary>
    Gsm7,

    /// <summary>UCS-2 (16 bits a character, needed for Chinese): 70 in one message, 67 per part.</summary>
    Ucs2,
}

/// <summary>The parts an SMS text is sent as, and their encoding.</summary>
public sealed record SmsParts(SmsEncoding Encoding, IReadOnlyList<string> Parts)
{
    public int Count => Parts.Count;
}

/// <summary>
/// SMS segment counting. A message's user data is at most 140 octets (3GPP TS 23.040 §9.2.3.24
/// TP-User-Data): 160 septets of the GSM 7-bit default alphabet or 70 UCS-2 characters (3GPP TS 23.038
/// §6.2.1 and §6.2.3). A longer text is sent as concatenated parts, each carrying a 6-octet user data
/// header (information element 00, 8-bit reference, TS 23.040 §9.2.3.24.1), leaving 134 octets:
/// 153 septets or 67 UCS-2 characters. Characters of the GSM extension table (TS 23.038 §6.2.1.1) take
/// two septets (escape + code) and are never split across parts; neither is a UTF-16 surrogate pair.
/// One character outside the 7-bit alphabet makes the whole message UCS-2.
/// </summary>
public static class SmsSegments
{
    public const int Gsm7Single = 160;
    public const int Gsm7Part = 153;
    public const int Ucs2Single = 70;
    public const int Ucs2Part = 67;

    /// <summary>The GSM 7-bit default alphabet (TS 23.038 §6.2.1), all 128 codes but 0x1B (escape to the extension table).</summary>
    public const string Gsm7Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    /// <summary>The characters of the default extension table (TS 23.038 §6.2.1.1), two septets each.</summary>
    public const string Gsm7Extension = "\f^{}\\[~]|€";

    private static readonly HashSet<char> Basic = [.. Gsm7Basic];
    private static readonly HashSet<char> Extension = [.. Gsm7Extension];

    public static bool IsGsm7(string text)
    {
        foreach (var c in text)
        {
            if (!Basic.Contains(c) && !Extension.Contains(c))
            {
                return false;
            }
        }

        return true;
    }

    public static SmsEncoding EncodingOf(string text) => IsGsm7(text) ? SmsEncoding.Gsm7 : SmsEncoding.Ucs2;

    /// <summary>Septets (GSM 7-bit) or UTF-16 code units (UCS-2) of <paramref name="text"/>.</summary>
    public static int Units(string text, SmsEncoding encoding)
    {
        if (encoding == SmsEncoding.Ucs2)
        {
            return text.Length;
        }

        var n = 0;
        foreach (var c in text)
        {
            n += Extension.Contains(c) ? 2 : 1;
        }

        return n;
    }

    /// <summary>The units one message holds when <paramref name="text"/> fits in one, else what a concatenated part holds.</summary>
    public static int FirstPartCapacity(string text)
    {
        var encoding = EncodingOf(text);
        var single = encoding == SmsEncoding.Gsm7 ? Gsm7Single : Ucs2Single;
        return Units(text, encoding) <= single ? single : encoding == SmsEncoding.Gsm7 ? Gsm7Part : Ucs2Part;
    }

    /// <summary>The parts <paramref name="text"/> is sent as (an empty text is one empty message).</summary>
    public static SmsParts Split(string text)
    {
        var encoding = EncodingOf(text);
        var single = encoding == SmsEncoding.Gsm7 ? Gsm7Single : Ucs2Single;
        if (Units(text, encoding) <= single)
        {
            return new SmsParts(encoding, [text]);
        }

        var capacity = encoding == SmsEncoding.Gsm7 ? Gsm7Part : Ucs2Part;
        var parts = new List<string>();
        var start = 0;
        var used = 0;
        var i = 0;
        while (i < text.Length)
        {
            var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            var cost = encoding == SmsEncoding.Ucs2 ? width : Extension.Contains(text[i]) ? 2 : 1;
            if (used + cost > capacity)
            {
                parts.Add(text[start..i]);
                start = i;
                used = 0;
            }

            used += cost;
            i += width;
        }

        parts.Add(text[start..]);
        return new SmsParts(encoding, parts);
    }
}
