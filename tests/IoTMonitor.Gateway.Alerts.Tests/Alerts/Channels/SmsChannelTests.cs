using IoTMonitor.Gateway.Alerts.Channels.Sms;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Channels;

public sealed class SmsChannelTests
{
    [Fact]
    public async Task Template_escapes_for_the_url_and_for_a_json_body_and_cuts_long_texts()
    {
        var options = new SmsOptions
        {
            UrlTemplate = "https://sms.example.org/send?to={to}&ref={id}",
            BodyTemplate = "{\"to\":\"{to}\",\"text\":\"{text}\"}",
            MaxLength = 20,
            Headers = { ["Authorization"] = "Bearer k" },
        };
        using var request = SmsChannel.BuildRequest(options, "+86 138", "He said \"flood\" now, move up", "e1:sms:+86 138");
        Assert.Equal("https://sms.example.org/send?to=%2B86%20138&ref=e1%3Asms%3A%2B86%20138", request.RequestUri!.AbsoluteUri);
        var body = await request.Content!.ReadAsStringAsync();
        Assert.Equal("{\"to\":\"+86 138\",\"text\":\"He said \\\"flood\\\" now…\"}", body);
        Assert.Equal("Bearer k", request.Headers.Authorization!.ToString());
        Assert.Equal("e1:sms:+86 138", request.Headers.GetValues("Idempotency-Key").Single());
    }
}
