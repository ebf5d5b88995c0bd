namespace IoTMonitor.Firmware.Core.Sensors.Ds3231
{
    /// <summary>
    /// The DS3231's timekeeping registers 00h–06h ↔ seconds since 1970 UTC. Pure arithmetic, no
    /// allocation: the driver reads and writes the seven bytes in place.
    /// </summary>
    /// <remarks>
    /// Maxim Integrated, "DS3231 Extremely Accurate I2C-Integrated RTC/TCXO/Crystal", 19-5170 Rev 10,
    /// Table 1 "Timekeeping Registers": 00h seconds and 01h minutes (BCD 00–59), 02h hours (bit 6
    /// high = 12-hour mode, then bit 5 = PM and bit 4 = 10 hours; bit 6 low = 24-hour mode, bits 5–4
    /// = 20 and 10 hours), 03h day of week (1–7, user-defined but sequential), 04h date (01–31), 05h
    /// month (01–12) with bit 7 the century bit (toggled when the year register passes 99 → 00), 06h
    /// year (00–99). The chip's leap-year rule holds from 2000 to 2099, so the node writes only that
    /// range (century bit 0); a read with the century bit set is taken as 2100–2199.
    /// </remarks>
    public static class Ds3231Time
    {
        /// <summary>Timekeeping registers 00h–06h.</summary>
        public const int RegisterCount = 7;

        /// <summary>2000-01-01 00:00:00 UTC: the chip's year 00.</summary>
        public const long Year2000 = 946684800;

        /// <summary>2100-01-01 00:00:00 UTC: the first second the node does not write.</summary>
        public const long Year2100 = 4102444800;

        private const byte TwelveHourMode = 0x40;
        private const byte Pm = 0x20;
        private const byte Century = 0x80;

        /// <summary>
        /// Seconds since 1970 UTC of the seven registers at <paramref name="regs"/>[<paramref name="offset"/>],
        /// or −1 when a field is not BCD or out of its range (a chip that never held a time, a bad read).
        /// </summary>
        public static long ToEpoch(byte[] regs, int offset)
        {
            int second = Bcd(regs[offset], 0x7F);
            int minute = Bcd(regs[offset + 1], 0x7F);
            int hour;
            byte h = regs[offset + 2];
            if ((h & TwelveHourMode) != 0)
            {
                int h12 = Bcd(h, 0x1F);
                if (h12 < 1 || h12 > 12)
                {
                    return -1;
                }

                hour = (h12 == 12 ? 0 : h12) + ((h & Pm) != 0 ? 12 : 0);
            }
            else
            {
                hour = Bcd(h, 0x3F);
            }

            int date = Bcd(regs[offset + 4], 0x3F);
            int month = Bcd(regs[offset + 5], 0x1F);
            int year = Bcd(regs[offset + 6], 0xFF);
            if (second < 0 || second > 59 || minute < 0 || minute > 59 || hour < 0 || hour > 23
                || month < 1 || month > 12 || year < 0 || date < 1)
            {
                return -1;
            }

            year += (regs[offset + 5] & Century) != 0 ? 2100 : 2000;
            if (date > DaysInMonth(year, month))
            {
                return -1;
            }

            return (DaysFromCivil(year, month, date) * 86400L) + (hour * 3600L) + (minute * 60L) + second;
        }

        /// <summary>
        /// Writes <paramref name="utcSeconds"/> as the seven registers (24-hour mode, century bit 0, day
        /// of week 1 = Monday … 7 = Sunday) at <paramref name="regs"/>[<paramref name="offset"/>]. False,
        /// and nothing written, outside 2000–2099 (the chip's calendar range).
        /// </summary>
        public static bool FromEpoch(long utcSeconds, byte[] regs, int offset)
        {
            if (utcSeconds < Year2000 || utcSeconds >= Year2100)
            {
                return false;
            }

            long days = utcSeconds / 86400;
            int secOfDay = (int)(utcSeconds - (days * 86400));

            // Civil date of a day count (days since 1970-01-01), in 400-year eras starting 0000-03-01.
            long z = days + 719468;
            long era = z / 146097;
            int doe = (int)(z - (era * 146097));
            int yoe = (doe - (doe / 1460) + (doe / 36524) - (doe / 146096)) / 365;
            int doy = doe - ((365 * yoe) + (yoe / 4) - (yoe / 100));
            int mp = ((5 * doy) + 2) / 153;
            int day = doy - (((153 * mp) + 2) / 5) + 1;
            int month = mp < 10 ? mp + 3 : mp - 9;
            int year = (int)(yoe + (era * 400)) + (month <= 2 ? 1 : 0);

            regs[offset] = ToBcd(secOfDay % 60);
            regs[offset + 1] = ToBcd(secOfDay / 60 % 60);
            regs[offset + 2] = ToBcd(secOfDay / 3600);
            regs[offset + 3] = (byte)(((days + 3) % 7) + 1); // 1970-01-01 was a Thursday (4)
            regs[offset + 4] = ToBcd(day);
            regs[offset + 5] = ToBcd(month);
            regs[offset + 6] = ToBcd(year - 2000);
            return true;
        }

        /// <summary>Days since 1970-01-01 of a civil date (proleptic Gregorian, year ≥ 1).</summary>
        public static long DaysFromCivil(int year, int month, int day)
        {
            int y = month <= 2 ? year - 1 : year;
            int era = y / 400;
            int yoe = y - (era * 400);
            int mp = month > 2 ? month - 3 : month + 9;
            int doy = (((153 * mp) + 2) / 5) + day - 1;
            int doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
            return (era * 146097L) + doe - 719468;
        }

        private static int DaysInMonth(int year, int month)
        {
            if (month == 2)
            {
                bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
                return leap ? 29 : 28;
            }

            return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
        }

        // Two BCD digits of b under mask, or −1 when a digit is above 9.
        private static int Bcd(byte b, int mask)
        {
            int v = b & mask;
            int hi = v >> 4;
            int lo = v & 0x0F;
            return hi > 9 || lo > 9 ? -1 : (hi * 10) + lo;
        }

        private static byte ToBcd(int v)
        {
            return (byte)(((v / 10) << 4) | (v % 10));
        }
    }
}
