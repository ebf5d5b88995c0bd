using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// The dashboard's files (wwwroot: a few hundred KB), read once at start and served from memory:
/// <list type="bullet">
/// <item>compressed ahead of time (Brotli, else gzip, as the browser accepts; text types only), so a
///   site office on a slow LAN fetches about a quarter of the bytes and no request compresses;</item>
/// <item>every file has a content-hash ETag (a revisit asks "If-None-Match" and gets 304);</item>
/// <item>index.html names the stylesheets and vendored libraries with <c>?v={hash}</c>, and a request
///   carrying the file's current hash is answered with a year-long immutable cache: a new build
///   changes the hash, so nobody keeps an old copy. The dashboard's own modules import each other by
///   plain path, so they are revalidated (no-cache + ETag) instead.</item>
/// </list>
/// Only GET and HEAD; anything not in the folder falls through to the endpoints (and their 404).
/// </summary>
public sealed partial class DashboardFiles
{
    private const string Immutable = "public, max-age=31536000, immutable";

    private static readonly FrozenSet<string> TextTypes = new[] { "text/html", "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml", "text/plain" }.ToFrozenSet(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, Entry> _files;

    private DashboardFiles(FrozenDictionary<string, Entry> files) => _files = files;

    /// <summary>The files under <paramref name="root"/>, compressed and hashed, index.html rewritten to carry the hashes.</summary>
    public static DashboardFiles Load(string root)
    {
        var types = new FileExtensionContentTypeProvider();
        var raw = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var rel = "/" + Path.GetRelativePath(root, path).Replace('\\', '/');
            if (!Path.GetFileName(rel).StartsWith('.'))
            {
                raw[rel] = File.ReadAllBytes(path);
            }
        }

        var hashes = raw.ToDictionary(f => f.Key, f => Hash(f.Value), StringComparer.Ordinal);
        if (raw.TryGetValue("/index.html", out var index))
        {
            // href="vendor/…" and href="css/…" (also src=) gain ?v={hash} of the file they name
            var html = HashedRefs().Replace(Encoding.UTF8.GetString(index), m =>
                hashes.TryGetValue("/" + m.Groups["path"].Value, out var h) ? $"{m.Groups["attr"].Value}=\"{m.Groups["path"].Value}?v={h}\"" : m.Value);
            raw["/index.html"] = Encoding.UTF8.GetBytes(html);
            hashes["/index.html"] = Hash(raw["/index.html"]);
        }

        var files = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var (rel, bytes) in raw)
        {
            var type = types.TryGetContentType(rel, out var t) ? t : "application/octet-stream";
            var text = TextTypes.Contains(type);
            if (text && !type.Contains("charset", StringComparison.Ordinal))
            {
                type += "; charset=utf-8";
            }

            files[rel] = new Entry(bytes, type, hashes[rel], text ? Compress(bytes, br: true) : null, text ? Compress(bytes, br: false) : null);
        }

        files["/"] = files.GetValueOrDefault("/index.html")!;
        return new DashboardFiles(files.Where(f => f.Value is not null).ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The file (path without the query), or null.</summary>
    internal Entry? Find(string path) => _files.GetValueOrDefault(path);

    public async Task ServeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) || Find(request.Path.Value ?? "/") is not { } file)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        var etag = $"\"{file.Hash}\"";
        response.Headers.ETag = etag;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        response.Headers.CacheControl = request.Query["v"] == file.Hash ? Immutable : "no-cache";
        if (request.Headers.IfNoneMatch.Contains(etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var accept = request.Headers.AcceptEncoding.ToString();
        var (body, encoding) = file switch
        {
            { Brotli: { } b } when Accepts(accept, "br") => (b, "br"),
            { Gzip: { } g } when Accepts(accept, "gzip") => (g, "gzip"),
            _ => (file.Bytes, null),
        };
        if (encoding is not null)
        {
            response.Headers.ContentEncoding = encoding;
        }

        response.ContentType = file.ContentType;
        response.ContentLength = body.Length;
        if (HttpMethods.IsGet(request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    // "gzip, deflate, br, zstd" (Chromium); q=0 means refused
    private static bool Accepts(string header, string coding) =>
        header.Split(',').Select(p => p.Trim()).Any(p => p.Equals(coding, StringComparison.OrdinalIgnoreCase)
            || (p.StartsWith(coding + ";", StringComparison.OrdinalIgnoreCase) && !p.Replace(" ", string.Empty, StringComparison.Ordinal).EndsWith("q=0", StringComparison.Ordinal)));

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

    // the compressed form when it saves something, else null (the plain bytes are sent)
    private static byte[]? Compress(byte[] bytes, bool br)
    {
        using var buffer = new MemoryStream();
        using (Stream z = br ? new BrotliStream(buffer, CompressionLevel.Optimal, leaveOpen: true) : new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(bytes);
        }

        return buffer.Length < bytes.Length ? buffer.ToArray() : null;
    }

    [GeneratedRegex("(?<attr>href|src)=\"(?<path>(?:vendor|css)/[^\"?#]+)\"")]
    private static partial Regex HashedRefs();

    internal sealed record Entry(byte[] Bytes, string ContentType, string Hash, byte[]? Brotli, byte[]? Gzip);
}

public static class DashboardFilesRegistration
{
    /// <summary>Serves <c>wwwroot</c> beside the binary (when present) from memory: see <see cref="DashboardFiles"/>.</summary>
    public static WebApplication UseDashboardFiles(this WebApplication app, string root)
    {
        if (Directory.Exists(root))
        {
            var files = DashboardFiles.Load(root);
            app.Use(files.ServeAsync);
        }

        return app;
    }
}
