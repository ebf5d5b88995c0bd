using System;
using System.Device.Gpio;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IModemPower"/> on the cellular board (hardware/common/cellular.md): a VBAT load switch
    /// (enable active high, pull-down: off through boot and deep sleep), an NPN that pulls the module's
    /// PWRKEY low while its GPIO is high (the open-collector drive both families' hardware design guides
    /// recommend), and the module's STATUS output read through the level shifter.
    /// </summary>
    /// <remarks>
    /// Timings (docs/references.md, "Cellular modems", hardware design guides; the minimum each guide
    /// gives, our hold with margin):
    /// <list type="bullet">
    /// <item>VBAT stable before PWRKEY: <see cref="SupplySettleMs"/> (Quectel guides: VBAT stable before
    /// PWRKEY is pulled, ≥ 30 ms recommended; SIMCom the same in its power-on timing figure).</item>
    /// <item>Power-on pulse <see cref="OnPulseMs"/>: A7670 ≥ 50 ms, EC800N ≥ 500 ms.</item>
    /// <item>Power-off pulse: A7670 ≥ 2.5 s (<see cref="SimcomOffPulseMs"/>); EC800N ≥ 650 ms and
    /// released before the module would start again (<see cref="QuectelOffPulseMs"/>).</item>
    /// <item>STATUS low after the power-off pulse within <see cref="OffWaitMs"/> (the module detaches from
    /// the network and closes its file system first; **estimate**: the guides give no maximum); the
    /// supply is cut then, or at the limit (a hung module does not shut down by PWRKEY).</item>
    /// </list>
    /// The UART is closed before the supply goes, so no pin drives an unpowered module (power.md rule).
    /// </remarks>
    public sealed class Esp32ModemPower : IModemPower
    {
        /// <summary>VBAT settle time before the PWRKEY pulse, ms.</summary>
        public const int SupplySettleMs = 100;

        /// <summary>PWRKEY hold to start the module, ms (≥ both families' minimum).</summary>
        public const int OnPulseMs = 600;

        /// <summary>PWRKEY hold to shut an A76XX down, ms (guide minimum 2.5 s).</summary>
        public const int SimcomOffPulseMs = 3000;

        /// <summary>PWRKEY hold to start or stop a SIM7080G, ms (≥ 1 s to start, ≥ 1.2 s to stop: **verify** against the SIM7080 hardware design guide; the vendor board's example holds it 1 s).</summary>
        public const int SimcomSmPulseMs = 1500;

        /// <summary>PWRKEY hold to shut an EC800N/BG95 down, ms (guide minimum 650 ms).</summary>
        public const int QuectelOffPulseMs = 1000;

        /// <summary>Longest wait for STATUS low after the power-off pulse, ms (estimate).</summary>
        public const int OffWaitMs = 8000;

        private readonly GpioPin _powerEn;
        private readonly GpioPin _pwrKey;
        private readonly GpioPin _status;
        private readonly IClock _clock;
        private readonly ModemUart _uart;
        private readonly int _offPulseMs;
        private readonly int _onPulseMs;

        /// <summary>The modem's power on <paramref name="powerEnGpio"/>/<paramref name="pwrKeyGpio"/>, STATUS on <paramref name="statusGpio"/>.</summary>
        public Esp32ModemPower(GpioController gpio, int powerEnGpio, int pwrKeyGpio, int statusGpio, ModemKind kind, IClock clock, ModemUart uart)
        {
            _powerEn = gpio.OpenPin(powerEnGpio, PinMode.Output);
            _pwrKey = gpio.OpenPin(pwrKeyGpio, PinMode.Output);
            _pwrKey.Write(PinValue.Low);
            _status = gpio.OpenPin(statusGpio, PinMode.Input);
            _clock = clock;
            _uart = uart;
            _offPulseMs = kind == ModemKind.Quectel ? QuectelOffPulseMs : kind == ModemKind.SimcomSm ? SimcomSmPulseMs : SimcomOffPulseMs;
            _onPulseMs = kind == ModemKind.SimcomSm ? SimcomSmPulseMs : OnPulseMs;
        }

        /// <summary>
        /// False on this board: deep sleep releases GPIO17 and its pull-down opens the load switch (the
        /// enable is not an RTC GPIO, and nanoFramework's ESP32 API has no deep-sleep pad hold), so a
        /// module left in PSM would lose its supply at the node's sleep anyway. The link therefore
        /// switches the module off between uploads here; PSM needs the enable on a held pin (a board
        /// revision, hardware/common/cellular.md "Power mode").
        /// </summary>
        public bool HoldsThroughSleep
        {
            get { return false; }
        }

        /// <summary>Times the supply was cut while STATUS still said running (a hung module).</summary>
        public int HardCuts { get; private set; }

        /// <inheritdoc />
        public void On()
        {
            _powerEn.Write(PinValue.High);
            _clock.Sleep(SupplySettleMs);
            Pulse(_onPulseMs);
        }

        /// <inheritdoc />
        public void Wake()
        {
            Pulse(_onPulseMs);
        }

        /// <inheritdoc />
        public void Off()
        {
            if (_status.Read() == PinValue.High)
            {
                Pulse(_offPulseMs);
                long until = _clock.Millis + OffWaitMs;
                while (_status.Read() == PinValue.High && _clock.Millis < until)
                {
                    _clock.Sleep(100);
                }

                if (_status.Read() == PinValue.High)
                {
                    HardCuts++;
                }
            }

            _uart.Dispose();
            _powerEn.Write(PinValue.Low);
        }

        private void Pulse(int ms)
        {
            _pwrKey.Write(PinValue.High);
            _clock.Sleep(ms);
            _pwrKey.Write(PinValue.Low);
        }
    }
}
