using System;
using System.Device.Adc;
using System.Device.Gpio;
using System.IO;
using System.Threading;
using IoTMonitor.Firmware.Adapters;
using IoTMonitor.Firmware.Board;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Time;
using nanoFramework.Hardware.Esp32;

namespace IoTMonitor.Firmware
{
    /// <summary>
    /// Entry point on the ESP32. Every wake starts here (deep sleep resets the chip): read the
    /// device config from I:, build the adapters, run one NodeCycle, which ends in deep sleep.
    /// All decisions are the core's; this class only wires.
    /// </summary>
    public static class Program
    {
        /// <summary>Device config uploaded with <c>nanoff --filedeployment</c> (firmware/README.md).</summary>
        public const string ConfigPath = "I:\\config.json";

        /// <summary>
        /// The queue's own byte budget (the ESP32 cannot report free space): 44 segment files of
        /// one 4 KB block, out of the 64 blocks of I: on a 4 MB board. The other 20 hold the
        /// metadata pairs, config.json, the con_*.sys config files, the state and remote-config
        /// A/B files at their largest, and the copy-on-write headroom of a commit
        /// (firmware/README.md, "Flash storage"; checked on the LittleFS model by
        /// StorageFiguresTests).
        /// </summary>
        public const int QueueBudgetBytes = 44 * 4096;

        /// <summary>
        /// Grace added to maxAwakeSec before the watchdog timer forces deep sleep. Small: every link
        /// step is bounded by the awake cap (M2MqttNodeLink starts no step whose worst case would pass
        /// it), so the watchdog only ends a call that hangs.
        /// </summary>
        public const int WatchdogGraceSec = 5;

        private static Esp32Power _power;
        private static int _watchdogSleepSec;
        private static int _flashedMaxAwakeSec;
        private static long _wakeStartMs;
        private static NodeCycle _cycle;
        private static ResetWatchdog _resetWatchdog;

        /// <summary>Runs one wake; never returns (deep sleep restarts the app at Main).</summary>
        public static void Main()
        {
            M2MqttNodeLink.StopBootJoin();
            byte[] document = File.Exists(ConfigPath) ? File.ReadAllBytes(ConfigPath) : null;

            // The board (rails, battery, wake pin) follows the config's node type; the core parses
            // the same document again inside NodeCycle and reports its errors.
            DeviceConfig peek = new DeviceConfig();
            if (document != null)
            {
                new ConfigParser().ParseDevice(document, 0, document.Length, peek);
            }

            BoardPins board = BoardPins.For(peek.Type);
            if (board == null)
            {
                board = BoardPins.Water;
            }

            GpioController gpio = new GpioController();
            GpioOutput[] outputs = new GpioOutput[board.Outputs.Length];
            for (int i = 0; i < outputs.Length; i++)
            {
                outputs[i] = new GpioOutput(gpio, board.Outputs[i].Gpio);
            }

            if (peek.WatchdogDoneGpio >= 0)
            {
                _resetWatchdog = new ResetWatchdog(gpio, peek.WatchdogDoneGpio, peek.WatchdogIntervalSec);
                _resetWatchdog.AwakeCapSec = peek.MaxAwakeSec;
            }

            Esp32Clock clock = new Esp32Clock();
            Sleep.WakeupCause cause = Sleep.GetWakeupCause();
            int heldMs = cause == Sleep.WakeupCause.Ext0 || cause == Sleep.WakeupCause.Undefined ? ButtonHeldMs(gpio, board.Wake, clock) : 0;
            Esp32Buses buses = new Esp32Buses(new AdcController(), board);
            SensorFactory sensors = new SensorFactory(buses, clock, board, outputs);
            _power = new Esp32Power(buses.Analog(board.Battery), board.BatteryDivider, WakePin(board.Wake), board.RainInt == 34 ? Sleep.WakeupGpioPin.Pin34 : Sleep.WakeupGpioPin.None, outputs, _resetWatchdog);

            // Watchdog (the ESP-IDF task watchdog is off in the firmware, reference §8): a call that
            // hangs (a stuck driver, a TCP connect with no timeout) must not drain the battery. It
            // checks once a second against the cap in force, which is the remote maxAwakeSec once the
            // cycle has loaded it. Before sleeping it has the cycle save its state (back-off, clock
            // offset); every store operation closes its file before returning, so a wake cut in the
            // middle of one leaves the old or the new file.
            _wakeStartMs = clock.Millis;
            _watchdogSleepSec = peek.SampleSec;
            _flashedMaxAwakeSec = peek.MaxAwakeSec;
            Timer watchdog = new Timer(OnWatchdog, null, 1000, 1000);
            int sleepSec = peek.SampleSec;
            try
            {
                INodeLink link = peek.Cellular ? CellularLink(peek, board, gpio, buses, clock) : new M2MqttNodeLink();
                _cycle = new NodeCycle(clock, link, _power, sensors, new LittleFsFileStore(), QueueBudgetBytes, document);
                sensors.RainTally = _cycle.RainTally;
                _cycle.BackupClock = new BackupClock(new RtcBuses(buses, sensors), clock); // used when the config names an rtc
                ModemLink modem = link as ModemLink;
                if (modem != null)
                {
                    _cycle.Network = modem.Report;
                }

                _cycle.WokenByPin = cause == Sleep.WakeupCause.Ext0;
                _cycle.WokenByCounter = cause == Sleep.WakeupCause.Ext1;
                _cycle.ServiceButtonHeldMs = heldMs;
                NodeCycleResult result = _cycle.Run();
                if (result.SleepSeconds > 0)
                {
                    sleepSec = result.SleepSeconds;
                }
            }
            finally
            {
                // Reached only if the cycle returned or threw without sleeping: an exception that
                // ends Main leaves the CLR waiting in the debugger loop (reference §8), so sleep here.
                watchdog.Dispose();
                _power.DeepSleep(sleepSec);
            }
        }


        // The modem link of a config with "cellular" (docs/cellular.md): the pins are the config's, or the
        // board's cellular variant's (Board/ModemPins) where the config leaves them out; the CA is the PEM
        // flashed next to config.json. Without the CA a TLS connect is refused by the link, not made unchecked.
        private static INodeLink CellularLink(DeviceConfig config, BoardPins board, GpioController gpio, Esp32Buses buses, Esp32Clock clock)
        {
            ModemPins pins = ModemPins.For(board.Type);
            int uart = Pick(config.CellularUart, pins.Uart);
            ModemKind kind = (ModemKind)config.CellularModem;
            ModemUart port = new ModemUart(buses, uart, Pick(config.CellularTx, pins.Tx), Pick(config.CellularRx, pins.Rx));
            Esp32ModemPower power = new Esp32ModemPower(gpio, Pick(config.CellularPowerEn, pins.PowerEn), Pick(config.CellularPwrKey, pins.PwrKey), Pick(config.CellularStatus, pins.Status), kind, clock, port);
            byte[] ca = config.CellularCa != null && File.Exists(config.CellularCa) ? File.ReadAllBytes(config.CellularCa) : null;
            ModemLink link = new ModemLink(port, clock, kind, config.CellularApn, ca, power, clock);
            link.MinBatteryVolts = config.CellularMinVolts;
            link.PsmIntervalSec = config.CellularPsm ? config.UploadSec : 0; // this board cannot hold the supply in deep sleep: off between uploads (Esp32ModemPower)
            return link;
        }

        private static int Pick(int configured, int board)
        {
            return configured >= 0 ? configured : board;
        }

        private static void OnWatchdog(object state)
        {
            int cap = _flashedMaxAwakeSec;
            NodeCycle cycle = _cycle;
            if (cycle != null && cycle.AwakeCapSec > 0)
            {
                cap = cycle.AwakeCapSec;
            }

            // Service mode is a deliberate long wake: the cap is its own end, after which the cycle
            // starts a fresh maxAwakeSec budget for the closing messages.
            if (cycle != null && cycle.Service.LeftMs(Environment.TickCount64) > 0)
            {
                _wakeStartMs = Environment.TickCount64;

                // A service hold may outlast the TPL5010's interval; a technician is at the node.
                ResetWatchdog hardware = _resetWatchdog;
                if (hardware != null)
                {
                    hardware.Done();
                }

                return;
            }

            ResetWatchdog fitted = _resetWatchdog;
            if (fitted != null && cap > fitted.AwakeCapSec)
            {
                fitted.AwakeCapSec = cap; // a remote maxAwakeSec above the flashed one lengthens the next wakes too
            }

            if (Environment.TickCount64 - _wakeStartMs >= (long)(cap + WatchdogGraceSec) * 1000)
            {
                int sleepSec = _watchdogSleepSec;
                if (cycle != null)
                {
                    try
                    {
                        int next = cycle.Expire();
                        if (next > 0)
                        {
                            sleepSec = next;
                        }
                    }
                    catch (Exception)
                    {
                        // A store that fails now must not keep the node awake: sleep on the flashed interval.
                    }
                }

                _power.DeepSleep(sleepSec);
            }
        }

        // The service button (active low, the EXT0 wake pin): how long it stays low from now, polled
        // every 50 ms up to ServiceHold.HoldMs; 0 at once when it is up, so an ordinary wake loses nothing.
        private static int ButtonHeldMs(GpioController gpio, int pin, Esp32Clock clock)
        {
            if (pin < 0)
            {
                return 0;
            }

            GpioPin button = gpio.OpenPin(pin, PinMode.InputPullUp);
            long start = clock.Millis;
            long held = 0;
            while (button.Read() == PinValue.Low && held < ServiceHold.HoldMs)
            {
                clock.Sleep(50);
                held = clock.Millis - start;
            }

            button.Dispose();
            return (int)held;
        }

        private static Sleep.WakeupGpioPin WakePin(int gpio)
        {
            return gpio == 4 ? Sleep.WakeupGpioPin.Pin4 : Sleep.WakeupGpioPin.None;
        }
    }
}
