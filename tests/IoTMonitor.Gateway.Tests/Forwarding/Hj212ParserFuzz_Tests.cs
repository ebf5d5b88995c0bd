using System.Globalization;
using System.Text;
using CsCheck;
using IoTMonitor.Gateway.Forwarding.Hj212;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>The parser of what platforms send never throws, and refuses every frame whose length or CRC does not hold.</summary>
public sealed class Hj212ParserFuzz_Tests
{
    private static readonly string[] Seeds =
    [
        "QN=20261120083000000;ST=91;CN=9014;PW=123456;MN=SW330100001;Flag=4;CP=&&&&",
        "QN=20261121100000001;ST=21;CN=2061;PW=123456;MN=SW330100001;Flag=5;CP=&&BeginTime=20261120080000;EndTime=20261120090000&&",
        "QN=20261121100000002;ST=21;CN=1012;PW=123456;MN=SW330100001;Flag=5;CP=&&SystemTime=20261121100000&&",
        "QN=20261121100000003;ST=21;CN=1011;PW=123456;MN=SW330100001;Flag=7;PNUM=2;PNO=1;CP=&&PolId=w01001&&",
    ];

    [Fact]
    public void Random_bytes_never_throw_and_are_refused()
    {
        Gen.Byte.Array[0, 1200].Sample(bytes =>
        {
            var ok = Hj212Parser.TryParse(bytes, out var m, out var error);
            return ok ? m is not null : error.Length > 0;
        }, iter: 20_000);
    }

    [Fact]
    public void Mutated_frames_never_throw_and_a_changed_byte_is_caught_by_length_or_crc()
    {
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[0, 10_000], Gen.Byte, Gen.Int[0, 3]).Sample((seed, at, value, kind) =>
        {
            var frame = Encoding.ASCII.GetBytes(Hj212Packet.Frame(Seeds[seed])).ToList();
            var pos = at % frame.Count;
            var original = frame.ToArray();
            switch (kind)
            {
                case 0: frame[pos] = value; break;
                case 1: frame.RemoveAt(pos); break;
                case 2: frame.Insert(pos, value); break;
                default: frame.RemoveRange(pos, frame.Count - pos); break;
            }

            var bytes = frame.ToArray();
            var ok = Hj212Parser.TryParse(bytes, out _, out _);

            // a frame that still parses must be identical up to the CRLF the parser strips and the case of the
            // CRC's hex digits (HJ 212-2017 §6.3.2 gives the CRC as four hex digits; either case is read)
            return !ok || Canonical(bytes) == Canonical(original);
        }, iter: 20_000);
    }

    private static string Canonical(byte[] frame)
    {
        var text = Encoding.ASCII.GetString(frame).TrimEnd('\r', '\n');
        return text.Length < 4 ? text : text[..^4] + text[^4..].ToUpperInvariant();
    }

    [Fact]
    public void Any_header_and_cp_built_by_the_packet_layer_parse_back_to_the_same_fields()
    {
        var token = Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"].Array[1, 24].Select(c => new string(c));
        Gen.Select(Gen.Long[10_000_000_000_000_000, 99_999_999_999_999_999], Gen.Int[10, 99], Gen.Int[1000, 9999], token, token, Gen.Int[4, 7], Gen.Double[-1e6, 1e6]).Sample((qn, st, cn, pw, mn, flag, value) =>
        {
            pw = pw[..Math.Min(6, pw.Length)];
            var header = new Hj212Header(qn.ToString(CultureInfo.InvariantCulture), st.ToString(CultureInfo.InvariantCulture), cn.ToString(CultureInfo.InvariantCulture), pw, mn, flag);
            var cp = "DataTime=20261120083000;w01001-Rtd=" + Hj212Packet.Number(value, 3) + ",w01001-Flag=N";
            var frame = Hj212Packet.Frame(Hj212Packet.DataSegment(header, cp, 2, 1));
            return Hj212Parser.TryParse(Encoding.ASCII.GetBytes(frame), out var m, out _)
                && m!.Qn == header.Qn && m.St == header.St && m.Cn == header.Cn && m.Pw == pw && m.Mn == mn && m.Flag == flag
                && m.Get("w01001-Rtd") == Hj212Packet.Number(value, 3) && ((flag & 2) == 0 || (m.Pnum, m.Pno) == (2, 1));
        }, iter: 5_000);
    }
}
