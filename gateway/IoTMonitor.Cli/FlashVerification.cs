using System.Globalization;
using System.Net;
using System.Text.Json;
using IoTMonitor.Cli.Text;
using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Cli;

/// <summary>
/// Proof that a flashed node runs what was flashed: its first <c>online</c> status after the flash
/// (protocol §5, served by the gateway at <c>GET /api/v1/devices/{device}/status</c>) comes on the
/// flashed device id's topic, carries <c>cfg</c> = CRC-32 of the flashed document and <c>cfgErr</c> 0.
/// </summary>
public static class FlashVerification
{
    /// <summary>The status <c>cfg</c> of a node running <paramref name="document"/> with no remote config (8 hex digits).</summary>
    public static string ConfigHash(byte[] document) => Crc32.Compute(document, 0, document.Length).ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>When the gateway last heard an online status of <paramref name="device"/>, or null (none since it started).</summary>
    public static async Task<DateTimeOffset?> LastOnlineAsync(GatewayClient gw, string device, CancellationToken ct)
    {
        var doc = await StatusAsync(gw, device, ct).ConfigureAwait(false);
        return doc is { } d && d.TryGetProperty("online", out var o) && o.ValueKind == JsonValueKind.Object ? o.GetProperty("at").GetDateTimeOffset() : null;
    }

    /// <summary>
    /// Waits for an online status newer than <paramref name="after"/> and judges it; returns the line
    /// to print on success and throws a <see cref="CliException"/> saying what to check otherwise.
    /// </summary>
    /// <param name="text">The technician's language (English when null).</param>
    public static async Task<string> WaitAsync(GatewayClient gw, string device, string site, string expectedCfg, DateTimeOffset? after, TimeSpan timeout, TextWriter progress, CancellationToken ct, CliText? text = null)
    {
        var t = text ?? CliText.EnglishText;
        var deadline = DateTimeOffset.UtcNow + timeout;
        progress.WriteLine(t.Format("waiting up to {0} for {1}'s first status at {2} (power it up or press EN) ...", Durations.Format(timeout), device, gw.BaseUrl));
        while (true)
        {
            var doc = await StatusAsync(gw, device, ct).ConfigureAwait(false);
            if (doc is { } d && d.TryGetProperty("online", out var o) && o.ValueKind == JsonValueKind.Object
                && (after is null || o.GetProperty("at").GetDateTimeOffset() > after))
            {
                var cfg = o.GetProperty("cfg").GetString();
                var cfgErr = o.GetProperty("cfgErr").GetInt32();
                var boot = o.GetProperty("boot").GetInt64();
                var fw = o.GetProperty("fw").GetString();
                var onSite = o.GetProperty("site").GetString();
                if (cfgErr != 0)
                {
                    throw new CliException(t.Format("{0} booted but refused its config: cfgErr {1} (codes in docs/config.md); it runs the built-in defaults. Fix the file and flash again with --config-only.", device, cfgErr));
                }

                if (onSite != site)
                {
                    throw new CliException(t.Format("{0} reports from site '{1}', the flashed file says '{2}'", device, onSite, site));
                }

                if (!string.Equals(cfg, expectedCfg, StringComparison.Ordinal))
                {
                    throw new CliException(t.Format("{0} runs config {1}, the flashed file is {2}: the node booted another document (an older I:\\config.json if the file step did not land, or a remote config set at the gateway: iotmon config show)", device, cfg, expectedCfg));
                }

                return t.Format("verified: {0} reported config {1} (cfgErr 0, boot {2}, firmware {3}) at {4:yyyy-MM-dd HH:mm:ss} UTC", device, cfg, boot, fw, o.GetProperty("at").GetDateTimeOffset().UtcDateTime);
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new CliException(t.Format("no status from {0} within {1}. In order: the app did not start (serial console: CLR_E_ASSM_WRONG_CHECKSUM means the image does not match the packages, firmware/README.md); WiFi SSID/password; broker host/port reachable from the site; the device's MQTT secret (iotmon provision again). The node keeps its readings meanwhile.", device, Durations.Format(timeout)));
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        }
    }

    private static async Task<JsonElement?> StatusAsync(GatewayClient gw, string device, CancellationToken ct)
    {
        try
        {
            return await gw.GetJsonAsync("/api/v1/devices/" + Uri.EscapeDataString(device) + "/status", ct).ConfigureAwait(false);
        }
        catch (HttpProblem e) when (e.Status == HttpStatusCode.NotFound && e.Message.Contains("no status", StringComparison.Ordinal))
        {
            return null;
        }
        catch (HttpProblem e) when (e.Status == HttpStatusCode.NotFound)
        {
            throw new CliException($"the gateway does not know {device} ({e.Message}): register it with iotmon provision, or point --gateway at the gateway the node reports to", ExitCodes.Failed);
        }
    }
}
