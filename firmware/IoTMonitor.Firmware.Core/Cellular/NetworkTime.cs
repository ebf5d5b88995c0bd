namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>Parses the modem's clock (AT+CCLK?, 3GPP TS 27.007 §8.15) into UTC seconds since 1970.</summary>
    public static class NetworkTime
    {
        /// <summary>2024-01-01T00:00:00Z: a modem clock before this was never set by the network.</summary>
        public const long Earliest = 1704067200;

        /// <summary>
        /// <c>yy/MM/dd,hh:mm:ss±zz</c> (zz: local offset in quarter hours) to UTC seconds; -1 when malformed.
        /// </summary>
        public static long ParseCclk(string text)
        {
            if (text == null || text.Length < 17 || text[2] != '/' || text[5] != '/' || text[8] != ',')
            {
                return -1;
            }

            int yy = Two(text, 0);
            int mo = Two(text, 3);
            int dd = Two(text, 6);
            int hh = Two(text, 9);
            int mi = Two(text, 12);
            int ss = Two(text, 15);
            if (yy < 0 || mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
            {
                return -1;
            }

            int quarters = 0;
            if (text.Length >= 19 && (text[17] == '+' || text[17] == '-'))
            {
                quarters = 0;
                for (int i = 18; i < text.Length && text[i] >= '0' && text[i] <= '9'; i++)
                {
                    quarters = (quarters * 10) + (text[i] - '0');
                }

                if (text[17] == '-')
                {
                    quarters = -quarters;
                }
            }

            long days = DaysFromCivil(2000 + yy, mo, dd);
            return (days * 86400) + (hh * 3600) + (mi * 60) + ss - (quarters * 900L);
        }

        private static int Two(string s, int at)
        {
            int a = s[at] - '0';
            int b = s[at + 1] - '0';
            return a < 0 || a > 9 || b < 0 || b > 9 ? -1 : (a * 10) + b;
        }

        // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
        private static long DaysFromCivil(int y, int m, int d)
        {
            y -= m <= 2 ? 1 : 0;
            int era = (y >= 0 ? y : y - 399) / 400;
            int yoe = y - (era * 400);
            int doy = ((153 * (m + (m > 2 ? -3 : 9))) + 2) / 5 + d - 1;
            int doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
            return (era * 146097L) + doe - 719468;
        }
    }
}
