using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Alerts.Channels.Email;
using IoTMonitor.Gateway.Alerts.Channels.Sms;
using IoTMonitor.Gateway.Alerts.Channels.WeCom;
using IoTMonitor.Gateway.Alerts.NoticeText;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.NoticeText;

public sealed class NoticeLanguageTests
{
    [Theory]
    [InlineData("zh", "zh-CN")]
    [InlineData("zh-CN", "zh-CN")]
    [InlineData("zh_CN.UTF-8", "zh-CN")]
    [InlineData("ZH-hans", "zh-CN")]
    [InlineData("en", "en")]
    [InlineData("en_US.UTF-8", "en")]
    [InlineData("en-GB", "en")]
    [InlineData("zh-TW", null)] // Traditional Chinese is not written: refused, not answered in Simplified
    [InlineData("fr", null)]
    [InlineData("", null)]
    [InlineData("C.UTF-8", null)]
    public void Configured_codes_normalize_to_zh_CN_or_en(string value, string? expected) =>
        Assert.Equal(expected, NoticeLanguage.Normalize(value));

    [Fact]
    public void The_recipient_wins_over_the_channel_which_wins_over_the_gateway_default()
    {
        var perRecipient = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Field@Example.org"] = "en" };
        Assert.Equal("en", NoticeLanguage.Choose(perRecipient, "field@example.org", "zh", "zh-CN"));
        Assert.Equal("zh-CN", NoticeLanguage.Choose(perRecipient, "duty@example.org", "zh", "en"));
        Assert.Equal("en", NoticeLanguage.Choose(perRecipient, "duty@example.org", string.Empty, "en"));
        Assert.Equal("zh-CN", NoticeLanguage.Choose(perRecipient, "duty@example.org", string.Empty, "zh-CN"));
    }

    [Fact]
    public void Chinese_is_the_default_of_every_people_channel()
    {
        Assert.Equal("zh-CN", new AlertsOptions().Language);
        Assert.Equal("zh-CN", new WeComOptions().Language);
        Assert.Equal("zh-CN", NoticeLanguage.Choose(new Dictionary<string, string>(), "+8613800138000", new SmsOptions().Language, new AlertsOptions().Language));
        Assert.Equal("zh-CN", NoticeLanguage.Choose(new Dictionary<string, string>(), "duty@example.org", new EmailOptions().Language, new AlertsOptions().Language));
    }

    [Fact]
    public void An_unknown_language_is_a_start_up_error_naming_the_key()
    {
        var alerts = new AlertsOptions { Language = "de", RecipientLanguages = { ["+8613800138000"] = "zh-TW" } };
        var problems = alerts.Validate().ToList();
        Assert.Contains(problems, p => p.StartsWith("Alerts:Language 'de' is not a notice language", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Alerts:RecipientLanguages:+8613800138000 'zh-TW'", StringComparison.Ordinal));
        Assert.Contains(new SmsOptions { Language = "cn" }.Validate(), p => p.StartsWith("Alerts:Sms:Language 'cn'", StringComparison.Ordinal));
        Assert.Empty(new SmsOptions { Language = "zh_CN" }.Validate());
        Assert.Empty(new WeComOptions { Language = "zh" }.Validate()); // the robots' old value stays valid
        Assert.Contains(new WeComOptions { Language = "jp" }.Validate(), p => p.Contains("Language 'jp'", StringComparison.Ordinal));
    }

    [Fact]
    public void Languages_bind_from_configuration_beside_the_old_contact_lists()
    {
        var section = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            {"Alerts":{
              "Language":"en",
              "Primary":{"Emails":["duty@example.org","field@example.org"],"Phones":["+8613800138000","+447700900123"]},
              "RecipientLanguages":{"+8613800138000":"zh","Field@Example.org":"zh_CN"},
              "Channels":{"Sms":{"UrlTemplate":"http://127.0.0.1:9/send","Language":"","MaxSegments":2},"WeCom":{"Robots":{"duty":{"Url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}}}}
            }}
            """u8.ToArray())).Build().GetSection("Alerts");
        var alerts = new AlertsOptions();
        section.Bind(alerts);
        Assert.Empty(alerts.Validate());
        Assert.Equal(["+8613800138000", "+447700900123"], alerts.Primary.Phones); // the plain-string form is unchanged
        Assert.Empty(new ServiceCollection().AddAlertChannels(section, alerts));
        Assert.Equal(2, alerts.Sms.MaxSegments);
        Assert.Equal("zh-CN", NoticeLanguage.Choose(alerts.RecipientLanguages, "+8613800138000", alerts.Sms.Language, alerts.Language));
        Assert.Equal("en", NoticeLanguage.Choose(alerts.RecipientLanguages, "+447700900123", alerts.Sms.Language, alerts.Language));
        Assert.Equal("zh-CN", NoticeLanguage.Choose(alerts.RecipientLanguages, "field@example.org", alerts.Email.Language, alerts.Language)); // addresses match in any case
        Assert.Equal("en", NoticeLanguage.Choose(alerts.RecipientLanguages, "duty@example.org", alerts.Email.Language, alerts.Language));
    }
}
