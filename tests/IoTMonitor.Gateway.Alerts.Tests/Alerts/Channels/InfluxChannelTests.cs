using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Alerts.Channels.Influx;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Channels;

public sealed class InfluxChannelTests
{
    [Fact]
    public void A_hostile_rule_id_or_site_cannot_add_a_line_a_tag_or_a_field_to_the_alert_history()
    {
        var n = new AlertNotice
        {
            AlertId = "a1",
            EventId = "e1",
            Type = AlertEventTypes.Opened,
            Severity = "warning",
            RuleId = "r\nalerts,site=x v=1 1",
            Site = "lake 2,x=y",
            Device = "do-7",
            Quantity = "water.do",
            Value = 3.2,
            At = DateTimeOffset.FromUnixTimeMilliseconds(1_782_000_000_123),
        };

        var line = InfluxChannel.Line("alerts", n);

        Assert.DoesNotContain('\n', line);
        Assert.StartsWith(@"alerts,device=do-7,event=opened,rule=r\ alerts\,site\=x\ v\=1\ 1,severity=warning,site=lake\ 2\,x\=y alert_id=""a1"",event_id=""e1"",late=false,quantity=""water.do"",value=3.2,text=", line);
        Assert.EndsWith(" 1782000000123", line);
    }
}
