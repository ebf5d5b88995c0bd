using IoTMonitor.Gateway.Alerts.Channels.Email;
using IoTMonitor.Gateway.Alerts.NoticeText;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.NoticeText;

/// <summary>
/// Notice times are on the reader's clock with the zone named, in both languages: China's (UTC+8) by
/// default, else the zone set for the gateway, the channel or the recipient. The sample alert opened
/// 2026-07-01 12:00 UTC.
/// </summary>
public sealed class NoticeZoneTests
{
    private static readonly NoticeReader EnglishInChina = new(NoticeLanguage.English, NoticeZone.China);

    [Fact]
    public void English_notices_give_China_time_by_default_with_the_zone_named()
    {
        var n = SampleNotices.WaterLevel("Qingshui bridge");
        Assert.Contains("Since: 2026-07-01 20:00:00 UTC+8\n", NoticeWriter.Body(n, EnglishInChina), StringComparison.Ordinal);
        Assert.Contains(", since 01 Jul 20:00 UTC+8", NoticeWriter.Short(n, EnglishInChina), StringComparison.Ordinal);
        Assert.Contains("since 01 Jul 20:00 UTC+8.", NoticeWriter.Sms(n, EnglishInChina, 320, 3), StringComparison.Ordinal);
        // the machine fields of webhook and MQTT (AlertNotice.Text) stay in UTC, as their readers parse them
        Assert.Contains("Since: 2026-07-01 12:00:00 UTC\n", n.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UTC", "2026-07-01 12:00:00 UTC")]
    [InlineData("UTC+6", "2026-07-01 18:00:00 UTC+6")]
    [InlineData("UTC-03:30", "2026-07-01 08:30:00 UTC-3:30")]
    [InlineData("Asia/Kolkata", "2026-07-01 17:30:00 UTC+5:30")]
    [InlineData("Europe/Berlin", "2026-07-01 14:00:00 UTC+2")] // summer time on the alert's day
    [InlineData("Asia/Shanghai", "2026-07-01 20:00:00 UTC+8")]
    public void A_configured_zone_moves_the_English_times_and_is_named(string zone, string since)
    {
        var reader = new NoticeReader(NoticeLanguage.English, NoticeZone.Parse(zone)!);
        Assert.Contains($"Since: {since}\n", NoticeWriter.Body(SampleNotices.WaterLevel(), reader), StringComparison.Ordinal);
    }

    [Fact]
    public void Chinese_notices_name_a_zone_other_than_China_time_even_in_the_sms()
    {
        var n = SampleNotices.WaterLevel();
        var west = new NoticeReader(NoticeLanguage.Chinese, NoticeZone.Parse("UTC+6")!);
        Assert.Equal("时间:2026-07-01 18:00 起(UTC+6)", NoticeWriter.Short(n, west).Split('\n')[2]);
        Assert.Contains("07-01 18:00UTC+6起", NoticeWriter.Sms(n, west, 320, 3), StringComparison.Ordinal);
        // on China's own clock the SMS leaves the zone unsaid (the first segment is 70 characters)
        Assert.Contains(",07-01 20:00起。", NoticeWriter.Sms(n, NoticeReader.Of(NoticeLanguage.Chinese), 320, 3), StringComparison.Ordinal);
        Assert.Contains("事件 告警 2026-07-01 20:05（UTC+8）", NoticeWriter.Body(n, NoticeReader.Of(NoticeLanguage.Chinese)), StringComparison.Ordinal); // the event at 12:05 UTC
    }

    [Fact]
    public void The_recipient_wins_over_the_channel_which_wins_over_the_gateway()
    {
        var alerts = new AlertsOptions { TimeZone = "UTC+7", RecipientTimeZones = { ["field@example.org"] = "UTC" } };
        Assert.Equal("UTC", NoticeReader.For(alerts, "field@example.org", "en", "UTC+6", "zh-CN").Zone.Id);
        Assert.Equal("UTC+6", NoticeReader.For(alerts, "duty@example.org", "en", "UTC+6", "zh-CN").Zone.Id);
        Assert.Equal("UTC+7", NoticeReader.For(alerts, "duty@example.org", "en", string.Empty, "zh-CN").Zone.Id);
        Assert.Same(NoticeZone.China, NoticeReader.For(new AlertsOptions(), "duty@example.org", null, null, "zh-CN").Zone);
    }

    [Theory]
    [InlineData("Mars/Olympus")]
    [InlineData("UTC+25")]
    [InlineData("UTC+8:7")]
    [InlineData("GMT+8x")]
    public void An_unknown_zone_is_refused_at_start_with_the_forms_that_work(string zone)
    {
        var problems = new AlertsOptions { RecipientTimeZones = { ["duty@example.org"] = zone } }.Validate().ToList();
        Assert.Contains(problems, p => p.StartsWith($"Alerts:RecipientTimeZones:duty@example.org '{zone}' is not a time zone: UTC, a fixed offset such as UTC+8", StringComparison.Ordinal));
        Assert.Contains(new EmailOptions { TimeZone = zone }.Validate(), p => p.StartsWith("Alerts:Email:TimeZone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Email_in_English_goes_out_on_the_recipients_clock()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        var alerts = new AlertsOptions { RecipientLanguages = { ["field@example.org"] = "en", ["hq@example.org"] = "en" }, RecipientTimeZones = { ["hq@example.org"] = "Europe/Berlin" } };
        var channel = new EmailChannel(new EmailOptions { Host = "127.0.0.1", Port = smtp.Port, Security = "None", From = "iotmonitor@example.org" }, alerts);
        var n = SampleNotices.WaterLevel();
        await channel.SendAsync(SampleNotices.Entry(n, "email", "field@example.org"), n, CancellationToken.None);
        await channel.SendAsync(SampleNotices.Entry(n, "email", "hq@example.org"), n, CancellationToken.None);

        var mails = smtp.Messages();
        Assert.Contains("Since: 2026-07-01 20:00:00 UTC+8\n", Assert.Single(mails, m => m.To.Mailboxes.Single().Address == "field@example.org").TextBody, StringComparison.Ordinal);
        Assert.Contains("Since: 2026-07-01 14:00:00 UTC+2\n", Assert.Single(mails, m => m.To.Mailboxes.Single().Address == "hq@example.org").TextBody, StringComparison.Ordinal);
    }
}
