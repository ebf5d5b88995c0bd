using IoTMonitor.Gateway.Storage;

namespace IoTMonitor.Gateway.Tests.Storage;

/// <summary>How the one InfluxDB connection names the database and carries credentials (InfluxDB 1.x
/// HTTP API: <c>/query</c> takes <c>db</c>, <c>rp</c>, <c>u</c>, <c>p</c>, <c>q</c>; 2.x <c>/api/v2/write</c>
/// takes <c>org</c>, <c>bucket</c>, <c>precision</c> and <c>Authorization: Token …</c>).</summary>
public sealed class InfluxConnectionTests
{
    private sealed class PlainClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }

    private static InfluxConnection Connection(string token, string rp = "") =>
        new(new StorageOptions { Url = "http://127.0.0.1:8086", Database = "iot mon", RetentionPolicy = rp, Token = token, Org = "o&1" }, new PlainClients());

    [Fact]
    public void User_password_travels_as_query_parameters_and_no_header_is_sent()
    {
        using var c = Connection("ops:p&ss word=1", rp: "week");
        Assert.False(c.IsUserPassword); // a space means a token, not 1.x credentials
        using var d = Connection("ops:p&ss=1", rp: "week");
        var uri = d.QueryUri("SELECT 1", "epoch=s", inDatabase: true);
        Assert.Equal("http://127.0.0.1:8086/query?epoch=s&db=iot%20mon&rp=week&u=ops&p=p%26ss%3D1&q=SELECT%201", uri.AbsoluteUri);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        d.AuthorizeQuery(request);
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public void A_token_travels_as_a_header_and_a_server_statement_names_no_database()
    {
        using var c = Connection("abc==");
        var uri = c.QueryUri("CREATE DATABASE \"x\"", string.Empty, inDatabase: false);
        Assert.Equal("http://127.0.0.1:8086/query?q=CREATE%20DATABASE%20%22x%22", uri.AbsoluteUri);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri);
        c.AuthorizeQuery(request);
        Assert.Equal("Token abc==", request.Headers.Authorization?.ToString());
    }

    [Fact]
    public async Task A_write_names_the_bucket_database_slash_policy_and_carries_the_lines()
    {
        using var c = Connection("ops:secret", rp: "week");
        using var request = c.WriteRequest("m v=1 1\n", "ms");
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://127.0.0.1:8086/api/v2/write?org=o%261&bucket=iot%20mon%2Fweek&precision=ms", request.RequestUri!.AbsoluteUri);
        Assert.Equal("Token ops:secret", request.Headers.Authorization?.ToString());
        Assert.Equal("m v=1 1\n", await request.Content!.ReadAsStringAsync());

        // what a server before 1.8 gets instead (InfluxV1CompatHandler)
        var v1 = InfluxV1CompatHandler.MapWrite(request.RequestUri, request.Headers.Authorization);
        Assert.Equal("http://127.0.0.1:8086/write?db=iot%20mon&rp=week&precision=ms&u=ops&p=secret", v1.AbsoluteUri);
    }
}
