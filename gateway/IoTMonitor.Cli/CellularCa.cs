using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace IoTMonitor.Cli;

/// <summary>
/// The CA certificate a cellular node checks the gateway against (docs/cellular.md "Certificates"): a
/// config with <c>cellular</c> and TLS on (its default) needs one on the node, where <c>cellular.ca</c>
/// names it; without it the node's link refuses to connect, so flashing one without it is refused here.
/// </summary>
public static class CellularCa
{
    /// <summary>Whether the document is a cellular node's with TLS on, and the file its CA is read from.</summary>
    public static (bool NeedsCa, string DevicePath) Of(JsonElement config)
    {
        if (!config.TryGetProperty("cellular", out var cellular) || cellular.ValueKind != JsonValueKind.Object)
        {
            return (false, NanoffPlan.DefaultCaPath);
        }

        var tls = !config.TryGetProperty("mqtt", out var mqtt) || !mqtt.TryGetProperty("tls", out var t) || t.ValueKind != JsonValueKind.False;
        var path = cellular.TryGetProperty("ca", out var ca) && ca.ValueKind == JsonValueKind.String && ca.GetString() is { Length: > 0 } p ? p : NanoffPlan.DefaultCaPath;
        return (tls, path);
    }

    /// <summary>Checks that <paramref name="file"/> holds a PEM certificate; returns its subject and expiry.</summary>
    public static (string Subject, DateTime NotAfter) Check(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new CliException($"--ca {file.FullName} does not exist", ExitCodes.BadArguments);
        }

        try
        {
            using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(file.FullName));
            return (cert.Subject, cert.NotAfter.ToUniversalTime());
        }
        catch (CryptographicException e)
        {
            throw new CliException($"--ca {file.FullName} is not a PEM certificate (-----BEGIN CERTIFICATE-----): {e.Message}", ExitCodes.BadArguments);
        }
    }
}
