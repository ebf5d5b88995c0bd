using System.Collections.Concurrent;
using IoTMonitor.Firmware.Emulator.Network;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Emulator.Device;

/// <summary>
/// One ESP32 node's world, which outlives every wake: true time, the RTC, the flash, the radio
/// environment and the wake cause. The nanoFramework API facades the app is compiled with reach it
/// through <see cref="Current"/> (the runner runs one device at a time).
/// </summary>
/// <remarks>
/// Time is virtual: <c>Thread.Sleep</c>, timeouts and deep sleep advance <see cref="TrueMs"/> at once;
/// only loopback network work with the real gateway takes real time, which is added to virtual time as
/// it passes. Events the runtime raises on its own threads (M2Mqtt's dispatch thread, Timer callbacks)
/// are run by the model on the app's thread while it waits, which is all the app's handlers rely on
/// (they only copy and signal).
/// </remarks>
public sealed class Esp32Device
{
    /// <summary>1970-01-01: the RTC after a power-on, until SNTP sets it (reference §9, NFI targetHAL_Time.cpp; IDFDOC).</summary>
    public const long PowerOnRtcMs = 0;

    private static Esp32Device? _current;

    private readonly List<(long Due, long Order, Action Run)> _scheduled = [];
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly SemaphoreSlim _postedSignal = new(0);
    private readonly Dictionary<int, bool> _pins = [];
    private long _order;
    private long _wakeStartMs;
    private long _rtcOffsetMs;
    private long _step;
    private long _cutAtStep = -1;
    private string? _cutKinds;
    private string? _cutAt;
    private int _inFlight;
    private long _radioOnSince = -1;
    private long _radioOnMs;
    private long _railsOnSince = -1;
    private long _railsOnMs;
    private bool _sampled;
    private bool _off;
    private ResetKind _offKind;
    private long _timerWakeMs;
    private int _wakePin = -1;
    private ulong _ext1Mask;
    private string? _hang;
    private int _mqttConnects;
    private bool _watchdogPowered;
    private bool _doneHigh;

    public Esp32Device(long trueStartMs, RadioEnvironment radio)
    {
        TrueMs = trueStartMs;
        Radio = radio;
        _rtcOffsetMs = PowerOnRtcMs - trueStartMs;
        Cause = WakeCause.Undefined;
    }

    /// <summary>The device the running wake belongs to.</summary>
    public static Esp32Device Current => _current ?? throw new ModelException("no device is running");

    /// <summary>True (reference) time, Unix ms.</summary>
    public long TrueMs { get; private set; }

    /// <summary>The RTC's drift while in deep sleep: +0.05 = runs 5 % fast (reference §9: internal 150 kHz RC, up to ±5 %).</summary>
    public double SleepDrift { get; set; }

    /// <summary>
    /// The I: volume (the runtime model's LittleFS): the runtime's own con_*.sys config files are on it
    /// from the start, as on a board flashed and given its Wi-Fi settings (reference §1).
    /// </summary>
    public LittleFsVolume Flash { get; } = FlashVolumes.Esp32Runtime();

    public RadioEnvironment Radio { get; }

    /// <summary>The wake cause the runtime reports for the running wake.</summary>
    public WakeCause Cause { get; private set; }

    /// <summary>GPIO input levels the harness sets (the service button on GPIO 4 reads low when pressed).</summary>
    public Dictionary<int, bool> InputLevels { get; } = [];

    /// <summary>Raw ADC counts per ADC1 channel (0..4095, reference §12); the harness sets the source.</summary>
    public Func<int, int> AdcRaw { get; set; } = _ => 1800;

    /// <summary>Whether a Wi-Fi config with AutoConnect is saved (reference §6): the radio starts before Main.</summary>
    public bool WifiAutoConnectSaved { get; set; }

    /// <summary>What the app saved as the Wi-Fi options, for inspection (null: never saved).</summary>
    public string? WifiSavedOptions { get; set; }

    /// <summary>Milliseconds since this wake's reset (FreeRTOS tick count, reference §5).</summary>
    public long TickCount64 => TrueMs - _wakeStartMs;

    /// <summary>The RTC, Unix ms: what DateTime.UtcNow returns (reference §9).</summary>
    public long RtcMs => TrueMs + _rtcOffsetMs;

    public bool IsOff => _off;

    /// <summary>The optional TPL5010 reset watchdog on the board (null: not fitted; hardware/common/watchdog.md).</summary>
    public Tpl5010? Watchdog { get; init; }

    /// <summary>
    /// Steps whose native call never returns (a driver stuck in a bus transfer): the interpreter is
    /// blocked, so the app's managed timers stop too and the wake hangs (reference §8). Null: none.
    /// </summary>
    public Func<string, bool>? StuckAt { get; set; }

    /// <summary>Further narrows the steps a cut may land on: (kind, detail) → counts (null: every step of the named kinds).</summary>
    public Func<string, string?, bool>? CutFilter { get; set; }

    /// <summary>Circuits on GPIO outputs other than the sensor rails (the modem's load switch and PWRKEY): a write goes to them.</summary>
    public Dictionary<int, Action<bool>> PinSinks { get; } = [];

    /// <summary>Inputs driven by a circuit (the modem's STATUS): a read asks it.</summary>
    public Dictionary<int, Func<bool>> PinSources { get; } = [];

    /// <summary>Devices on the UARTs by port name ("COM2", "COM3"): what the app's SerialPort reaches. A port with none reads nothing.</summary>
    public Dictionary<string, ModemSocket> Uarts { get; } = [];

    /// <summary>Model steps taken in this wake (each one a point where the harness may cut the power).</summary>
    public long Steps => _step;

    /// <summary>Starts a wake: the chip resets with <paramref name="cause"/>; per-wake state is fresh.</summary>
    public void BeginWake(WakeCause cause, long cutAtStep = -1, string? cutKinds = null)
    {
        _current = this;
        Cause = cause;
        _wakeStartMs = TrueMs;
        _scheduled.Clear();
        while (_posted.TryDequeue(out _))
        {
        }

        _pins.Clear();
        _step = 0;
        _cutAtStep = cutAtStep;
        _cutKinds = cutKinds;
        _cutAt = null;
        _inFlight = 0;
        _radioOnMs = 0;
        _radioOnSince = -1;
        _railsOnMs = 0;
        _railsOnSince = -1;
        _sampled = false;
        _off = false;
        _timerWakeMs = 0;
        _wakePin = -1;
        _ext1Mask = 0;
        _hang = null;
        _mqttConnects = 0;
        _doneHigh = false;
        if (Watchdog != null && !_watchdogPowered)
        {
            Watchdog.PowerUp(TrueMs);
            _watchdogPowered = true;
        }

        if (WifiAutoConnectSaved)
        {
            // NF_ESP32_Wireless_Open starts connecting before Main (reference §6): the radio is on
            // whether or not the access point answers; it associates only when it does.
            RadioOn();
            if (Radio.WifiUp(TrueMs))
            {
                Radio.Associate(this);
            }
        }
    }

    /// <summary>Ends a wake: what happened, what it cost.</summary>
    public WakeOutcome EndWake(ResetKind kind, string? hang)
    {
        // Reset and deep sleep leave the GPIOs floating: the pull-downs switch every circuit off.
        foreach (var sink in PinSinks.Values)
        {
            sink(false);
        }

        RadioOff();
        RailsUpdate(false);

        // Deep sleep, a reset or a power cut: every output falls to its pull-down (the board's rails go off).
        foreach (var p in _pins.Where(p => p.Value).ToList())
        {
            _pins[p.Key] = false;
            OutputChanged?.Invoke(p.Key, false);
        }

        Radio.DropSession(this);
        _scheduled.Clear();
        return new WakeOutcome
        {
            Kind = kind,
            HangReason = hang ?? _hang,
            TimerWakeMs = _timerWakeMs,
            WakePin = _wakePin,
            Ext1Mask = _ext1Mask,
            AwakeMs = TrueMs - _wakeStartMs,
            RadioOnMs = _radioOnMs,
            RailsOnMs = _railsOnMs,
            Sampled = _sampled,
            CutAt = _cutAt,
            MqttConnects = _mqttConnects,
        };
    }

    /// <summary>How the running wake ended so far (null while it runs).</summary>
    public ResetKind? OffKind => _off ? _offKind : null;

    /// <summary>
    /// A point where the app touches the hardware (<paramref name="detail"/>: the file it touches, if
    /// any). Throws once the device is off; cuts the power here when the harness chose this step (only
    /// steps of the kinds it named, and that its filter accepts, count).
    /// </summary>
    public void Step(string kind, string? detail = null)
    {
        if (_off)
        {
            throw new DeviceResetException(_offKind);
        }

        if (StuckAt != null && StuckAt(kind))
        {
            Hang("native call '" + kind + "' never returns: the interpreter is blocked and managed timers stop (reference §8)");
        }

        if (_cutAtStep < 0 || (_cutKinds != null && !_cutKinds.Contains(kind, StringComparison.Ordinal))
            || (CutFilter != null && !CutFilter(kind, detail)))
        {
            return;
        }

        if (_step++ == _cutAtStep)
        {
            _cutAt = kind + "#" + _cutAtStep + (detail == null ? "" : " " + detail);
            PowerOff(ResetKind.PowerCut);
            throw new DeviceResetException(ResetKind.PowerCut);
        }
    }

    /// <summary>
    /// <c>Sleep.StartDeepSleep</c>: sockets closed without DISCONNECT, files not closed lose what was
    /// written since their last close, no finally/Dispose counts (reference §4).
    /// </summary>
    public void EnterDeepSleep(long timerWakeMs, int wakePin) => EnterDeepSleep(timerWakeMs, wakePin, 0);

    /// <summary>
    /// <c>Sleep.StartDeepSleep</c> with an EXT1 wake armed on <paramref name="ext1Mask"/> (GPIO bit
    /// mask, 0: none) besides the EXT0 pin: ESP-IDF keeps both sources (Sleep Modes, "External
    /// Wakeup (ext0)" / "(ext1)"), nanoFramework's EnableWakeupByMultiPins arms the latter.
    /// </summary>
    public void EnterDeepSleep(long timerWakeMs, int wakePin, ulong ext1Mask)
    {
        Step("sleep");
        _timerWakeMs = timerWakeMs;
        _wakePin = wakePin;
        _ext1Mask = ext1Mask;
        PowerOff(ResetKind.DeepSleep);
        throw new DeviceResetException(ResetKind.DeepSleep);
    }

    /// <summary><c>Power.RebootDevice</c>: a reset with cause Undefined; the RTC keeps running (reference §5, §9).</summary>
    public void Reboot()
    {
        Step("reboot");
        PowerOff(ResetKind.Reboot);
        throw new DeviceResetException(ResetKind.Reboot);
    }

    /// <summary>The app's thread cannot go on (waits forever, or Main ended): the device hangs (reference §8).</summary>
    public void Hang(string reason)
    {
        _hang = reason;
        PowerOff(ResetKind.Hang);
        throw new DeviceResetException(ResetKind.Hang);
    }

    /// <summary>Sleeps through deep sleep for <paramref name="rtcMs"/> of RTC time, or until <paramref name="pinAtTrueMs"/>; returns the wake cause.</summary>
    public WakeCause SleepFor(long rtcMs, long pinAtTrueMs = long.MaxValue) => SleepFor(rtcMs, pinAtTrueMs, long.MaxValue);

    /// <summary>
    /// As <see cref="SleepFor(long, long)"/>, with the EXT1 pins reaching their level at
    /// <paramref name="ext1AtTrueMs"/>: the first of timer, EXT0 and EXT1 (when armed) ends the sleep
    /// and is the cause (Ext1 = 3, the raw IDF value <c>Sleep.GetWakeupCause()</c> reports).
    /// </summary>
    public WakeCause SleepFor(long rtcMs, long pinAtTrueMs, long ext1AtTrueMs)
    {
        if (_ext1Mask != 0 && (_wakePin < 0 || ext1AtTrueMs < pinAtTrueMs))
        {
            long timerTrue = TrueMs + (long)(rtcMs / (1 + SleepDrift));
            if (ext1AtTrueMs < timerTrue && (Watchdog == null || !_watchdogPowered || Watchdog.NextResetAfter(TrueMs) > ext1AtTrueMs))
            {
                long slept = Math.Max(0, ext1AtTrueMs - TrueMs);
                TrueMs += slept;
                _rtcOffsetMs += (long)(slept * SleepDrift);
                return WakeCause.Ext1;
            }
        }

        long trueMs = (long)(rtcMs / (1 + SleepDrift));
        if (Watchdog != null && _watchdogPowered)
        {
            long reset = Watchdog.NextResetAfter(TrueMs);
            if (reset < TrueMs + trueMs && reset < pinAtTrueMs)
            {
                // No DONE within an interval while asleep: RSTn pulls EN low (SNAS651A §8.3.3).
                TrueMs = reset;
                WatchdogReset();
                return WakeCause.Undefined;
            }
        }

        if (pinAtTrueMs < TrueMs + trueMs && _wakePin >= 0)
        {
            long slept = Math.Max(0, pinAtTrueMs - TrueMs);
            TrueMs += slept;
            _rtcOffsetMs += (long)(slept * SleepDrift);
            return WakeCause.Ext0;
        }

        TrueMs += trueMs;
        _rtcOffsetMs += rtcMs - trueMs;
        return WakeCause.Timer;
    }

    /// <summary>A power cut's outage: time passes, the RTC is lost (power-on reads 1970, reference §9).</summary>
    public void PowerOffFor(long trueMs)
    {
        TrueMs += trueMs;
        _rtcOffsetMs = PowerOnRtcMs - TrueMs;
        Watchdog?.PowerUp(TrueMs); // the timer lost its supply too and starts counting again
    }

    /// <summary>
    /// After a hung wake: with the TPL5010 fitted, time runs on to the WAKE edge at which it finds no
    /// DONE and resets the chip through EN (returns true); without it the node stays hung (false).
    /// </summary>
    public bool HangUntilWatchdogReset()
    {
        if (Watchdog == null || !_watchdogPowered)
        {
            return false;
        }

        TrueMs = Math.Max(TrueMs, Watchdog.NextResetAfter(TrueMs));
        WatchdogReset();
        return true;
    }

    // An EN reset: the ESP32 reports it as a power-on (cause Undefined) and the RTC restarts at 1970
    // (model assumption, hardware/common/watchdog.md; reference §5, §9).
    private void WatchdogReset()
    {
        Watchdog!.AssertReset();
        _rtcOffsetMs = PowerOnRtcMs - TrueMs;
    }

    /// <summary>
    /// A GPIO output changed level (pin, high), including the fall of every high output when a wake
    /// ends: what a chip on a switched rail (e.g. an I2C target) follows.
    /// </summary>
    public event Action<int, bool>? OutputChanged;

    /// <summary>
    /// The output that powers the I2C bus's pull-ups: on every shipped board they sit on 3V3_SENS,
    /// switched by sensor_power_en on GPIO25 (hardware/*/pinmap.csv), so with it low every transfer
    /// NACKs. -1: pull-ups always powered.
    /// </summary>
    public int I2cPullUpGpio { get; set; } = 25;

    /// <summary>Chips on the I2C bus by 7-bit address (none: every address NACKs).</summary>
    public Dictionary<int, IModelI2cTarget> I2cTargets { get; } = [];

    /// <summary>
    /// One I2C transaction of the app (write, then a repeated-START read; either may be empty): false
    /// when no chip acknowledges <paramref name="address"/>.
    /// </summary>
    public bool I2cTransfer(int address, byte[] write, int writeCount, byte[] read, int readCount)
    {
        Step("i2c");
        if (I2cPullUpGpio >= 0 && !(_pins.TryGetValue(I2cPullUpGpio, out bool pullUps) && pullUps))
        {
            return false; // SDA/SCL held low by the unpowered pull-ups: no chip sees its address
        }

        if (!I2cTargets.TryGetValue(address, out IModelI2cTarget? target) || !target.Acknowledges)
        {
            return false;
        }

        if (writeCount > 0)
        {
            target.Write(write, writeCount);
        }

        if (readCount > 0)
        {
            target.Read(read, readCount);
        }

        return true;
    }

    /// <summary>SNTP set the clock (whole seconds kept by Rtc.SetSystemTime; the SNTP path sets it through settimeofday).</summary>
    public void SetRtc(long unixMs) => _rtcOffsetMs = unixMs - TrueMs;

    /// <summary>Runs <paramref name="run"/> on the app's thread when virtual time reaches <paramref name="dueTrueMs"/>.</summary>
    public void Schedule(long dueTrueMs, Action run)
    {
        _scheduled.Add((dueTrueMs, _order++, run));
    }

    /// <summary>Drops scheduled work whose owner is gone (a disposed Timer).</summary>
    public void Unschedule(Action run) => _scheduled.RemoveAll(s => s.Run == run);

    /// <summary>Real network work started (its completion will be posted).</summary>
    public void BeginReal() => Interlocked.Increment(ref _inFlight);

    /// <summary>Posts a real completion to run on the app's thread; ends one <see cref="BeginReal"/> when <paramref name="endsReal"/>.</summary>
    public void Post(Action run, bool endsReal)
    {
        _posted.Enqueue(() =>
        {
            if (endsReal)
            {
                Interlocked.Decrement(ref _inFlight);
            }

            run();
        });
        _postedSignal.Release();
    }

    /// <summary>Lets <paramref name="ms"/> of virtual time pass, running what falls due on the way.</summary>
    public void Advance(long ms)
    {
        Wait(ms, static () => false);
    }

    /// <summary>
    /// Waits until <paramref name="done"/> or <paramref name="timeoutMs"/> of virtual time (-1: forever).
    /// With real network work in flight it waits real time (added to virtual time); otherwise it jumps
    /// to the next scheduled event. Returns whether <paramref name="done"/> became true.
    /// </summary>
    public bool Wait(long timeoutMs, Func<bool> done)
    {
        long deadline = timeoutMs < 0 ? long.MaxValue : TrueMs + timeoutMs;
        bool realGrace = Radio.HasSession(this);
        while (true)
        {
            if (_off)
            {
                throw new DeviceResetException(_offKind);
            }

            RunPosted();
            RunDue();
            if (done())
            {
                return true;
            }

            if (TrueMs >= deadline)
            {
                return false;
            }

            if (Volatile.Read(ref _inFlight) > 0 || realGrace)
            {
                // Loopback traffic with the real gateway: wait for it in real time.
                realGrace = false;
                long before = Environment.TickCount64;
                _postedSignal.Wait(Volatile.Read(ref _inFlight) > 0 ? 200 : 15);
                long spent = Math.Max(1, Environment.TickCount64 - before);
                TrueMs = Math.Min(deadline, TrueMs + spent);
                continue;
            }

            long next = deadline;
            foreach (var s in _scheduled)
            {
                next = Math.Min(next, s.Due);
            }

            if (next == long.MaxValue)
            {
                Hang("waits forever with nothing left to wake it");
            }

            TrueMs = Math.Max(TrueMs, next);
        }
    }

    /// <summary>Counts an MQTT connect attempt of this wake.</summary>
    public void CountMqttConnect() => _mqttConnects++;

    /// <summary>A GPIO output was driven (rails: every output of the shipped boards powers sensors).</summary>
    public void WritePin(int pin, bool high)
    {
        Step("gpio");
        if (PinSinks.TryGetValue(pin, out var sink))
        {
            sink(high);
            return;
        }

        if (Watchdog != null && pin == Watchdog.DoneGpio)
        {
            if (high && !_doneHigh)
            {
                Watchdog.Done(TrueMs); // DONE counts on its rising edge
            }

            _doneHigh = high;
            return;
        }
        bool was = _pins.TryGetValue(pin, out bool before) && before;
        _pins[pin] = high;
        if (was != high)
        {
            OutputChanged?.Invoke(pin, high);
        }

        bool any = false;
        foreach (var p in _pins)
        {
            any |= p.Value;
        }

        RailsUpdate(any);
    }

    /// <summary>
    /// An ADC1 conversion on <paramref name="channel"/>. One made while the sensor rail (GPIO25) is
    /// on marks the wake as a sampling wake: every shipped config reads its battery divider in the
    /// sampling round, with the rail up for the other sensors. (The rail alone does not tell: the
    /// backup RTC's transfers raise it too, outside the round.)
    /// </summary>
    public int ReadAdc(int channel)
    {
        if (_pins.TryGetValue(25, out bool rail) && rail)
        {
            _sampled = true;
        }

        return AdcRaw(channel);
    }

    public bool ReadPin(int pin) => PinSources.TryGetValue(pin, out var source) ? source() : _pins.TryGetValue(pin, out bool v) ? v : !InputLevels.TryGetValue(pin, out bool l) || l;

    public void RadioOn()
    {
        if (_radioOnSince < 0)
        {
            _radioOnSince = TrueMs;
        }
    }

    public void RadioOff()
    {
        if (_radioOnSince >= 0)
        {
            _radioOnMs += TrueMs - _radioOnSince;
            _radioOnSince = -1;
        }
    }

    private void RailsUpdate(bool on)
    {
        if (on && _railsOnSince < 0)
        {
            _railsOnSince = TrueMs;
        }
        else if (!on && _railsOnSince >= 0)
        {
            _railsOnMs += TrueMs - _railsOnSince;
            _railsOnSince = -1;
        }
    }

    private void PowerOff(ResetKind kind)
    {
        _off = true;
        _offKind = kind;
        Flash.Reset();
        Radio.DropSession(this);
    }

    private void RunPosted()
    {
        while (!_off && _posted.TryDequeue(out Action? a))
        {
            a();
        }
    }

    private void RunDue()
    {
        while (!_off)
        {
            int best = -1;
            for (int i = 0; i < _scheduled.Count; i++)
            {
                if (_scheduled[i].Due <= TrueMs && (best < 0 || _scheduled[i].Due < _scheduled[best].Due || (_scheduled[i].Due == _scheduled[best].Due && _scheduled[i].Order < _scheduled[best].Order)))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                return;
            }

            Action run = _scheduled[best].Run;
            _scheduled.RemoveAt(best);
            run();
        }
    }
}
