using System.Text;

namespace IoTMonitor.Gateway.Alerts.NoticeText;

/// <summary>
/// The SMS of a notice in a language, fitted to segments: the essential facts (severity, site,
/// quantity and value against the limit, time) fit in the first segment — when they would not, the
/// worst value is left out, then a long site name is shortened in the SMS (never elsewhere) — and the text is cut at
/// <paramref name="maxSegments"/> parts or <c>maxLength</c> characters, whichever is shorter.
/// English texts are folded to the GSM 7-bit alphabet (µ → u, ≥ → &gt;=, – → -), so they travel at
/// 160/153 characters a segment instead of UCS-2's 70/67.
/// </summary>
public static class SmsText
{
    private static readonly (string From, string To)[] Gsm7Folds =
    [
        ("°C", "C"), ("µ", "u"), ("³", "3"), ("²", "2"), ("≥", ">="), ("≤", "<="), ("–", "-"), ("—", "-"),
        ("…", "..."), ("·", "."), ("×", "x"), ("‘", "'"), ("’", "'"), ("“", "\""), ("”", "\""), ("°", " deg"),
    ];

    public static string Compose(AlertNotice n, string language, int maxLength, int maxSegments, NoticeZone? zone = null)
    {
        var zh = NoticeLanguage.IsChinese(language);
        var where = zh ? ChineseNoticeText.SmsWhere(n) : EnglishNoticeText.SmsWhere(n);
        var compact = false;
        string essential;
        string rest;
        while (true)
        {
            (essential, rest) = zh ? ChineseNoticeText.Sms(n, where, compact, zone ?? NoticeZone.China) : EnglishNoticeText.Sms(n, where, compact, zone ?? NoticeZone.China);
            if (!zh)
            {
                essential = FoldToGsm7(essential);
                rest = FoldToGsm7(rest);
            }

            var full = essential + rest;
            var encoding = SmsSegments.EncodingOf(full);
            var over = SmsSegments.Units(essential, encoding) - SmsSegments.FirstPartCapacity(full);
            if (over <= 0 || (compact && where.Length <= 4))
            {
                break;
            }

            // first the wording gives way (the worst value, "since"), then the site name: the value,
            // limit and time are what a responder acts on
            if (!compact)
            {
                compact = true;
                continue;
            }

            where = where[..Math.Max(3, where.Length - over - 1)] + (encoding == SmsEncoding.Gsm7 ? "." : "…");
        }

        return Cut(essential + rest, maxLength, maxSegments);
    }

    /// <summary>Replaces typographic characters outside the GSM 7-bit alphabet by their plain equivalents.</summary>
    public static string FoldToGsm7(string text)
    {
        var b = new StringBuilder(text);
        foreach (var (from, to) in Gsm7Folds)
        {
            b.Replace(from, to);
        }

        return b.ToString();
    }

    /// <summary>At most <paramref name="maxSegments"/> parts and <paramref name="maxLength"/> characters, with a mark where it was cut.</summary>
    public static string Cut(string text, int maxLength, int maxSegments)
    {
        var parts = SmsSegments.Split(text);
        var ellipsis = parts.Encoding == SmsEncoding.Gsm7 ? "..." : "…";
        if (parts.Count > maxSegments)
        {
            var kept = string.Concat(parts.Parts.Take(maxSegments));
            text = kept[..^ellipsis.Length] + ellipsis;
        }

        if (text.Length > maxLength)
        {
            text = text[..(maxLength - ellipsis.Length)] + ellipsis;
        }

        return text;
    }
}
