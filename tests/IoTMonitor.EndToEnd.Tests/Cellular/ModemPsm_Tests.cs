using System.Collections.Concurrent;
using System.Text;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Power;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace IoTMonitor.EndToEnd.Tests.Cellular;

/// <summary>
/// The power mode between uploads (<see cref="ModemLink"/>, docs/cellular.md "Power mode"): PSM where
/// the network grants it with a periodic TAU no shorter than the upload interval, the module switched
/// off otherwise; and the module's battery cut-off. The modem model answers AT+CPSMS / AT+CEREG=4 as
/// 3GPP TS 27.007 §7.38 / §10.1.22 say and sleeps once its active time runs out; its MQTT side is a
/// real mosquitto, so every publish the link calls Ok is checked at the broker.
/// </summary>
public sealed class ModemPsm_Tests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Telemetry = "iotmon/v1/s1/n1/telemetry";
    private MosquittoServer _broker = null!;
    private IMqttClient _watcher = null!;
    private readonly ConcurrentQueue<string> _seen = new();

    public async Task InitializeAsync()
    {
        _broker = await MosquittoServer.StartNewAsync();
        _watcher = new MqttClientFactory().CreateMqttClient();
        _watcher.ApplicationMessageReceivedAsync += e =>
        {
            _seen.Enqueue(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await _watcher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("watcher").Build());
        await _watcher.SubscribeAsync(Telemetry, MqttQualityOfServiceLevel.AtLeastOnce);
    }

    public Task DisposeAsync()
    {
        _watcher.Dispose();
        _broker.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(ModemKind.Simcom)]
    [InlineData(ModemKind.Quectel)]
    public async Task Granted_psm_keeps_the_module_powered_and_the_next_upload_wakes_it_without_boot_or_attach(ModemKind kind)
    {
        using var rig = Psm(kind);

        var t0 = rig.Clock.Millis;
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        var coldMs = rig.Clock.Millis - t0;
        Assert.True(rig.Link.Info.PsmRequested);
        Assert.True(rig.Link.Info.PsmGranted);
        Assert.Equal(10, rig.Link.Info.PsmActiveSec); // T3324 asked: "00000101" = 5 × 2 s (GPRS Timer 2)
        Assert.Equal(7200, rig.Link.Info.PsmTauSec); // T3412 ext asked: twice the hourly interval
        Assert.Contains("AT+CPSMS=1,,,\"00001100\",\"00000101\"", rig.Modem.Log);
        Assert.Equal(NetworkReport.ModePsm, rig.Link.Report.PowerMode);
        await PublishAsync(rig, "{\"n\":1}");
        rig.Link.Disconnect();

        // Left powered; after its active time the module sleeps and answers nothing.
        rig.Clock.Sleep(3_600_000);
        Assert.True(rig.Modem.InPsm);
        Assert.Equal(1, rig.Modem.PowerCycles);

        t0 = rig.Clock.Millis;
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        var psmMs = rig.Clock.Millis - t0;
        Assert.Equal(1, rig.Modem.PsmWakes);
        Assert.Equal(1, rig.Modem.PowerCycles); // no power cycle, no boot
        Assert.Equal(1, rig.Link.Info.PsmWakes);
        Assert.Equal(1, rig.Link.Info.ColdStarts);
        await PublishAsync(rig, "{\"n\":2}");
        rig.Link.Disconnect();
        output.WriteLine($"{kind}: connect from off {coldMs} ms, from PSM {psmMs} ms (model timings); module charge from off {rig.Link.Info.OffModemMas:F0} mA·s, in PSM {rig.Link.Info.PsmModemMas:F0} mA·s");
        Assert.True(psmMs < coldMs, $"a PSM wake ({psmMs} ms) must be shorter than a cold start ({coldMs} ms)");
        Assert.True(rig.Link.Info.PsmModemMas > 0 && rig.Link.Info.OffModemMas > 0);
        Assert.Equal(2, rig.Link.Info.PsmRests);
    }

    [Theory]
    [InlineData(ModemKind.Simcom)]
    [InlineData(ModemKind.Quectel)]
    public async Task Denied_psm_switches_the_module_off_between_uploads(ModemKind kind)
    {
        using var rig = Psm(kind, b => b.PsmDenied = true);
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        Assert.True(rig.Link.Info.PsmRequested);
        Assert.False(rig.Link.Info.PsmGranted);
        Assert.Equal(-1, rig.Link.Info.PsmActiveSec);
        Assert.Equal(NetworkReport.ModeOff, rig.Link.Report.PowerMode);
        await PublishAsync(rig, "{\"denied\":1}");
        rig.Link.Disconnect();
        rig.Clock.Sleep(3_600_000);

        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        Assert.Equal(2, rig.Modem.PowerCycles);
        Assert.Equal(0, rig.Modem.PsmWakes);
        Assert.Equal(2, rig.Link.Info.ColdStarts);
        rig.Link.Disconnect();
    }

    [Fact]
    public void A_granted_tau_shorter_than_the_upload_interval_is_not_used()
    {
        // 30 min granted ("00000011" = 3 × 10 min) for hourly uploads: the module would wake for a TAU in between.
        using var rig = Psm(ModemKind.Quectel, b => b.PsmGrantedTau = "00000011");
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        Assert.Equal(1800, rig.Link.Info.PsmTauSec);
        Assert.Equal(10, rig.Link.Info.PsmActiveSec);
        Assert.False(rig.Link.Info.PsmGranted);
        Assert.Equal(NetworkReport.ModeOff, rig.Link.Report.PowerMode);
        rig.Link.Disconnect();
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        Assert.Equal(2, rig.Modem.PowerCycles);
        rig.Link.Disconnect();
    }

    [Fact]
    public void A_module_without_psm_answers_error_and_is_switched_off()
    {
        using var rig = Psm(ModemKind.Simcom, b => b.ErrorOn.Add("AT+CPSMS"));
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        Assert.False(rig.Link.Info.PsmRequested);
        Assert.False(rig.Link.Info.PsmGranted);
        rig.Link.Disconnect();
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        Assert.Equal(2, rig.Modem.PowerCycles);
        rig.Link.Disconnect();
    }

    [Fact]
    public void A_module_that_stays_silent_after_the_wake_pulse_is_power_cycled()
    {
        using var rig = Psm(ModemKind.Quectel);
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        rig.Link.Disconnect();
        rig.Clock.Sleep(600_000);
        Assert.True(rig.Modem.InPsm);

        // The wake is lost (a module that ignores PWRKEY in PSM): the link falls back to a power cycle.
        rig.Modem.Behaviour.PsmResumeMs = 120_000;
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 90_000));
        Assert.Equal(2, rig.Modem.PowerCycles);
        Assert.Equal(2, rig.Link.Info.ColdStarts);
        rig.Link.Disconnect();
    }

    [Fact]
    public void A_connect_that_fails_before_registration_leaves_no_grant_to_rest_on()
    {
        using var rig = Psm(ModemKind.Quectel);
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        rig.Link.Disconnect();
        rig.Clock.Sleep(600_000);

        // Woken from PSM, the SIM has gone: the connect fails before +CEREG is read again, and the
        // module is switched off rather than left in a PSM nobody confirmed.
        rig.Modem.Behaviour.NoSim = true;
        Assert.Equal(LinkStatus.WifiFailed, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        Assert.Equal("sim", rig.Link.Info.FailedStep);
        Assert.False(rig.Link.Info.PsmGranted);
        rig.Link.Disconnect();
        rig.Modem.Behaviour.NoSim = false;
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        Assert.Equal(2, rig.Modem.PowerCycles);
        rig.Link.Disconnect();
    }

    [Fact]
    public void Below_the_cut_off_the_module_is_not_powered_and_the_next_health_says_why()
    {
        using var rig = Psm(ModemKind.Simcom);
        rig.Link.MinBatteryVolts = 3.7;
        var weak = ModemLink_Tests.Settings();
        weak.BatteryVolts = 3.62;
        var start = rig.Clock.Millis;
        Assert.Equal(LinkStatus.WifiFailed, rig.Link.Connect(weak, 60_000));
        Assert.Equal("battery", rig.Link.Info.FailedStep);
        Assert.Equal(0, rig.Modem.PowerCycles);
        rig.Link.Disconnect(); // as the core does after a failed connect: no AT to an unpowered module
        Assert.Empty(rig.Modem.Log);
        Assert.True(rig.Clock.Millis - start < 100, "a refused connect must not wait on the modem");

        // A module resting in PSM is switched off too when the battery falls (its TAU would transmit).
        var good = ModemLink_Tests.Settings();
        good.BatteryVolts = 3.95;
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(good, 60_000));
        Assert.Equal(1, rig.Link.Report.BatteryCutoffs);
        rig.Link.Disconnect();
        Assert.Equal(1, rig.Link.Info.PsmRests);
        Assert.Equal(LinkStatus.WifiFailed, rig.Link.Connect(weak, 60_000));
        Assert.Equal(2, rig.Link.Info.BatteryCutoffs);
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(good, 60_000));
        Assert.Equal(2, rig.Modem.PowerCycles);
        Assert.Equal(0, rig.Modem.PsmWakes);
        rig.Link.Disconnect();

        // Unknown voltage (0: no battery entry) does not block the module.
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(ModemLink_Tests.Settings(), 60_000));
        rig.Link.Disconnect();
    }

    private ModemLink_Tests.Rig Psm(ModemKind kind, Action<Firmware.Host.Modem.ModemBehaviour>? faults = null)
    {
        var rig = new ModemLink_Tests.Rig(kind, _broker.Port, faults);
        rig.Link.PsmIntervalSec = 3600;
        rig.Link.Profile = CellularProfile.NbIot();
        return rig;
    }

    private async Task PublishAsync(ModemLink_Tests.Rig rig, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        Assert.Equal(LinkStatus.Ok, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 30_000));
        for (var i = 0; i < 100 && !_seen.Contains(json); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains(json, _seen);
    }
}
