using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Numerics;
using IoTMonitor.Firmware.Core.Power;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Queue;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Storage;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// One wake of the node as an explicit state machine (<see cref="NodeCycleState"/>):
    /// boot → load config → sample → persist → decide upload → connect → upload → receive → sleep.
    /// The host builds it once per wake from its adapters and calls <see cref="Run"/>; on the
    /// ESP32 the deep sleep at the end never returns, a simulating host loops.
    /// </summary>
    /// <remarks>
    /// Guarantees: a reading is in flash before anything is sent; a reading leaves flash only
    /// after its PUBACK; the wake never lasts longer than <c>maxAwakeSec</c> (checked between
    /// states and inside the upload loop; every link call gets at most the remaining time);
    /// connect failures back off exponentially (60 s · 2^(n−1), at most <c>uploadSec</c>).
    /// </remarks>
    public sealed class NodeCycle
    {
        /// <summary>Firmware version sent as <c>fw</c>.</summary>
        public const string FirmwareVersion = "1.0.0";

        /// <summary>Time to wait for retained config / queued commands after the upload, ms.</summary>
        public const int ReceiveWindowMs = 1500;

        /// <summary>
        /// Longest connect attempt, ms (less when the awake cap is nearer): room for a Wi-Fi join
        /// with DHCP, the MQTT connect's worst case (the ESP32 link's fixed 30 s CONNACK wait plus DNS
        /// and TCP) and the SUBACK. The link starts no step whose worst case would pass its deadline.
        /// </summary>
        public const int ConnectTimeoutMs = 50000;

        /// <summary>Longest wait for one PUBACK, ms.</summary>
        public const int PublishTimeoutMs = 5000;

        /// <summary>Longest wait for an SNTP answer, ms (its first query comes 2 s after a restart).</summary>
        public const int SyncTimeoutMs = 5000;

        /// <summary>
        /// A jump of the RTC against the tick count of at least this many seconds is taken as a sync
        /// the link did not report (the firmware's own SNTP client runs once the radio has an IP):
        /// both clocks are read in whole seconds here, so a smaller one may be rounding.
        /// </summary>
        public const int ObservedJumpSec = 2;

        /// <summary>
        /// Shortest time between two syncs that gives a drift figure, s: the correction is known to
        /// ±1 s, so over 10 min the figure is good to ±1,700 ppm (the RC oscillator drifts by 10,000s).
        /// </summary>
        public const int MinDriftIntervalSec = 600;

        /// <summary>
        /// Connected wakes without an SNTP answer after which a boot's readings go with the unset
        /// clock (the gateway rebases them, protocol §3) instead of waiting for the clock: a sync
        /// missed once is no reason to send estimated times, NTP unreachable for good is no reason
        /// to hold readings forever.
        /// </summary>
        public const int SendUnsyncedAfterMisses = 3;

        /// <summary>First backoff after a failed connect, seconds.</summary>
        public const int BackoffBaseSec = 60;

        private readonly IClock _clock;
        private readonly INodeLink _link;
        private readonly IPower _power;
        private readonly ISensorFactory _sensors;
        private readonly FlashQueue _queue;
        private readonly NodeState _state;
        private readonly byte[] _configDocument;
        private readonly int _configLength;

        private readonly DeviceConfig _config = new DeviceConfig();
        private readonly DeviceConfig _flashed = new DeviceConfig();
        private readonly ConfigParser _configParser = new ConfigParser();
        private readonly CommandParser _commandParser = new CommandParser();
        private readonly Command _command = new Command();
        private readonly Sampler _sampler = new Sampler();
        private bool _iccidSent;
        private readonly PowerPolicy _policy = new PowerPolicy();
        private readonly TelemetryEncoder _encoder = new TelemetryEncoder();
        private readonly TelemetryHeader _header = new TelemetryHeader();
        private readonly MessageEncoder _messages = new MessageEncoder();
        private readonly LinkSettings _linkSettings = new LinkSettings();
        private readonly Reading[] _readings = new Reading[ProtocolLimits.MaxReadings];
        private readonly byte[] _payload = new byte[ProtocolLimits.MaxPayloadBytes];
        private readonly byte[] _small = new byte[256];
        private readonly byte[] _inbox;
        private readonly NodeCycleResult _result = new NodeCycleResult();
        private readonly ServiceHold _service = new ServiceHold();
        private readonly EventMode _event;

        private readonly object _stateLock = new object();

        private NodeCycleState _current;
        private bool _configLoaded;
        private long _wakeStartMs;
        private long _refUtc;
        private long _refMs;
        private long _sensorsStartedMs;
        private long _roundStartMs;
        private ConfigError _configError;
        private uint _configHash;
        private uint _flashedHash;
        private string _batchCalibrationId;
        private double _batteryVolts;
        private bool _coldStart;
        private bool _sampleDue;
        private bool _sensorsOn;
        private bool _thresholdCrossed;
        private bool _connected;
        private bool _reboot;
        private string _topicTelemetry;
        private string _topicStatus;
        private string _topicConfigAck;
        private string _topicCmdAck;

        /// <summary>
        /// Wires a wake. <paramref name="files"/> holds the flash queue (at most
        /// <paramref name="queueBudgetBytes"/> of segment files) and the node state;
        /// <paramref name="configDocument"/> is the stored device config file (null or empty:
        /// defaults, <c>cfgErr</c> 10).
        /// </summary>
        public NodeCycle(IClock clock, INodeLink link, IPower power, ISensorFactory sensors, IFileStore files, int queueBudgetBytes, byte[] configDocument)
        {
            _clock = clock;
            _link = link;
            _power = power;
            _sensors = sensors;
            _queue = new FlashQueue(files, queueBudgetBytes);
            _state = new NodeState(files);
            _event = new EventMode(files);
            _configDocument = configDocument;
            _configLength = configDocument == null ? 0 : configDocument.Length;

            // One 8 KB buffer for both (≈ 100 KB heap on the ESP32): a received message and the
            // saved remote config are used up (parsed, saved, acked through _small) before the
            // next telemetry or status is encoded into _payload.
            _inbox = _payload;
        }

        /// <summary>
        /// Set by the host before <see cref="Run"/> when a person woke the node (the service button or
        /// reed switch on the EXT0 pin): the wake samples and uploads now, back-off or not.
        /// </summary>
        public bool WokenByPin { get; set; }

        /// <summary>
        /// Set by the host before <see cref="Run"/> when the rain counter's alarm woke the node (the
        /// PCF8593's INT on the EXT1 pin): rain reached what event mode still lacked, so the wake
        /// samples and judges event mode now instead of at the next scheduled sampling.
        /// </summary>
        public bool WokenByCounter { get; set; }

        /// <summary>
        /// Set by the host before <see cref="Run"/>: how long the service button stayed low after this
        /// wake began, ms (<see cref="ServiceHold.HoldMs"/> or more at a pin wake or power-on enters
        /// service mode).
        /// </summary>
        public int ServiceButtonHeldMs { get; set; }

        /// <summary>
        /// The rain gauge's tip tally, kept in the node state: the host hands it to its sensor
        /// catalog (Sensors/SensorCatalog.RainTally) so the count since boot is saved with the state.
        /// </summary>
        public Sensors.Rain.TipTally RainTally
        {
            get { return _state.Rain; }
        }

        /// <summary>
        /// The battery-backed RTC, set by the host before <see cref="Run"/> (null: the host has none).
        /// Used only when the config names one (<see cref="DeviceConfig.RtcBus"/>).
        /// </summary>
        public BackupClock BackupClock { get; set; }

        /// <summary>
        /// The cellular link's network report (Cellular/ModemLink.Report), sent in the batch health as
        /// <c>op</c>, <c>act</c>, <c>rsrp</c>, and <c>iccid</c> in the first batch of the wake (each wake
        /// powers the modem on); null for a Wi-Fi node.
        /// </summary>
        public NetworkReport Network { get; set; }

        /// <summary>Event mode (fast sampling and an upload every wake while rain or the level's rise passes a threshold).</summary>
        public EventMode Event
        {
            get { return _event; }
        }

        /// <summary>Service mode of this wake (the host's watchdog reads how long it has left).</summary>
        public ServiceHold Service
        {
            get { return _service; }
        }

        /// <summary>The state the machine is in (Done after Run).</summary>
        public NodeCycleState State
        {
            get { return _current; }
        }

        /// <summary>The config in force after LoadConfig.</summary>
        public DeviceConfig Config
        {
            get { return _config; }
        }

        /// <summary>
        /// The awake cap in force, s: the flashed <c>maxAwakeSec</c> with the saved remote config on
        /// top (0 until the config is loaded). The host's watchdog follows it.
        /// </summary>
        public int AwakeCapSec
        {
            get { return _configLoaded ? _config.MaxAwakeSec : 0; }
        }

        /// <summary>
        /// The host's watchdog ends the wake (a call overran the awake cap: a hung driver, a TCP
        /// connect with no timeout). Called on the watchdog's thread while the cycle's thread is
        /// stuck: a link step in progress counts as a failed attempt (back-off), the clock sync is
        /// noted, and the state is written whole (A/B, closed) so nothing decided this wake is
        /// lost when the host then deep-sleeps. Queue readings are already committed: the round
        /// is persisted before any link step. Returns the seconds to sleep.
        /// </summary>
        public int Expire()
        {
            lock (_stateLock)
            {
                _result.AwakeCapHit = true;
                if (_current == NodeCycleState.Connect || _current == NodeCycleState.Upload || _current == NodeCycleState.Receive)
                {
                    Fail(LinkStatus.Timeout);
                }

                if (_configLoaded)
                {
                    NoteClockSync(false);
                }

                _state.Save();
                return _configLoaded ? NextWakeSeconds() : 0;
            }
        }

        /// <summary>The queue (for diagnostics and tests).</summary>
        public FlashQueue Queue
        {
            get { return _queue; }
        }

        /// <summary>Runs one wake from Boot to Done and returns what it did.</summary>
        public NodeCycleResult Run()
        {
            _result.Reset();
            _batteryVolts = double.NaN;
            _current = NodeCycleState.Boot;
            _wakeStartMs = _clock.Millis;
            TrackClock();
            while (_current != NodeCycleState.Done)
            {
                if (_current != NodeCycleState.Sleep && _current > NodeCycleState.LoadConfig && AwakeLeftMs() <= 0)
                {
                    _result.AwakeCapHit = true;
                    _current = NodeCycleState.Sleep;
                }

                _current = Step(_current);
            }

            return _result;
        }

        private NodeCycleState Step(NodeCycleState s)
        {
            switch (s)
            {
                case NodeCycleState.Boot: return DoBoot();
                case NodeCycleState.LoadConfig: return DoLoadConfig();
                case NodeCycleState.StartSensors: return DoStartSensors();
                case NodeCycleState.WarmingUp: return DoWarmUp();
                case NodeCycleState.Sample: return DoSample();
                case NodeCycleState.Persist: return NodeCycleState.DecideUpload;
                case NodeCycleState.DecideUpload: return DoDecideUpload();
                case NodeCycleState.Connect: return DoConnect();
                case NodeCycleState.Upload: return DoUpload();
                case NodeCycleState.Receive: return DoReceive();
                case NodeCycleState.Sleep: return DoSleep();
                default: return NodeCycleState.Done;
            }
        }

        private NodeCycleState DoBoot()
        {
            _state.Load();
            _queue.Open();
            if (_queue.LastBoot == _state.Boot && _queue.LastSeq >= _state.NextSeq)
            {
                // Readings reached flash but the state saved after them did not (a reset
                // between the two writes): n must not repeat.
                _state.NextSeq = _queue.LastSeq + 1;
            }

            _event.Load();
            _coldStart = _power.ResetReason != ResetReason.DeepSleepWake;
            if (_coldStart)
            {
                // Protocol §3: boot counts cold starts; n restarts at 1; h.drop counts per boot;
                // an offset learned in the previous boot does not apply to this one.
                _state.StartBoot();
                _queue.ResetDropped();
                SaveState();
            }

            return NodeCycleState.LoadConfig;
        }

        // The config in force is always the flashed document (or the defaults) plus the newest
        // saved remote config, nothing older: the flashed one is kept parsed for ApplyRemoteConfig.
        private NodeCycleState DoLoadConfig()
        {
            _configError = _configLength == 0
                ? ConfigError.Missing
                : _configParser.ParseDevice(_configDocument, 0, _configLength, _flashed);
            _flashedHash = Crc32.Finish(Crc32.Update(Crc32.Start, _configDocument == null ? _small : _configDocument, 0, _configLength));
            _config.CopyFrom(_flashed);
            _configHash = _flashedHash;
            int remoteLength = _state.LoadRemoteConfig(_inbox);
            if (remoteLength > 0)
            {
                int rev;
                if (_configParser.ParseRemote(_inbox, 0, remoteLength, _flashed, _config, out rev) == ConfigError.None)
                {
                    _configHash = RemoteHash(remoteLength);
                }
            }

            // The readings of this wake are computed with the records loaded now; a remote config
            // received later in the wake must not rename them.
            _batchCalibrationId = _config.BatchCalibrationId();
            _configLoaded = true;

            _result.ConfigError = (int)_configError;
            string prefix = "iotmon/v1/" + _config.Site + "/" + _config.Device + "/";
            _topicTelemetry = prefix + "telemetry";
            _topicStatus = prefix + "status";
            _topicConfigAck = prefix + "config/ack";
            _topicCmdAck = prefix + "cmd/ack";
            _linkSettings.WifiSsid = _config.WifiSsid;
            _linkSettings.WifiPassword = _config.WifiPassword;
            _linkSettings.Host = _config.MqttHost;
            _linkSettings.Port = _config.MqttPort;
            _linkSettings.Tls = _config.MqttTls;
            _linkSettings.User = _config.MqttUser;
            _linkSettings.Password = _config.MqttPassword;
            _linkSettings.ClientId = _config.Site + "/" + _config.Device;
            _linkSettings.WillTopic = _topicStatus;
            _linkSettings.WillPayload = MessageEncoder.Lost();
            _linkSettings.SubscribeTopics = new string[] { prefix + "config", prefix + "cmd" };

            _policy.Begin(_config, _state.PowerMode, _state.BatteryTrendMv);
            if (ServiceHold.Requested(WokenByPin || _coldStart, ServiceButtonHeldMs) && _policy.Uploads)
            {
                _service.Begin(_clock.Millis, _config.ServiceMinutes);
                _result.Service = _service.Active;
            }

            RestoreClock();
            long now = _clock.UtcSeconds;
            _sampleDue = _coldStart || WokenByPin || WokenByCounter || _state.SampleNow || _state.LastSampleUtc == 0
                || now >= _state.LastSampleUtc + SampleSec() - 2 || now < _state.LastSampleUtc;
            return _sampleDue ? NodeCycleState.StartSensors : NodeCycleState.DecideUpload;
        }

        private NodeCycleState DoStartSensors()
        {
            _roundStartMs = _clock.Millis;

            // The rails come on as Bind builds the drivers: warm-ups count from here (SensorSettle).
            _sensorsStartedMs = _clock.Millis;
            _sampler.Bind(_policy.Select(_config.Sensors), _sensors, _config.CalMaxAgeDays);
            _sensorsOn = true;
            _sampler.StartAll(_clock);
            return NodeCycleState.WarmingUp;
        }

        private NodeCycleState DoWarmUp()
        {
            // Settle waits end at the awake cap: what has not settled by then is queued
            // NO_VALUE | WARMING_UP (datasheet settle) or flagged WARMING_UP (config warmupMs).
            _sampler.WarmUp(_clock, AwakeLeftMs());
            return NodeCycleState.Sample;
        }

        private NodeCycleState DoSample()
        {
            long now = _clock.UtcSeconds;
            int n = _sampler.SampleAll(_clock, now, (int)(_clock.Millis - _sensorsStartedMs), _readings, 0);
            _thresholdCrossed = false;
            for (int i = 0; i < n; i++)
            {
                _readings[i].Seq = _state.NextSeq++;
                _queue.Append(ref _readings[i], _state.Boot);
                if ((_readings[i].Flags & QualityFlags.NoValue) == 0 && Crosses(ref _readings[i]))
                {
                    _thresholdCrossed = true;
                }
            }

            // Sensors off (the ESP32 switches their rails off) right after the round, before any
            // radio step: nothing they draw buys anything once sampled.
            SensorsOff();

            // One open-append-close for the whole round (LittleFS commits only at close).
            _queue.Persist();
            _result.EventChange = _event.Observe(now, _readings, n, _state.Boot, _config);
            _thresholdCrossed |= _event.Active || _result.EventChange != 0; // the leaving wake reports too
            _batteryVolts = _sampler.BatteryVolts;
            _state.LastBatteryMillivolts = FMath.IsFinite(_batteryVolts) && _batteryVolts > 0 ? (int)((_batteryVolts * 1000) + 0.5) : 0;
            _state.PowerMode = (int)_policy.Update(HealthBatteryVolts());
            _state.BatteryTrendMv = _policy.TrendMv;
            _state.LastSampleUtc = now;
            _state.SampleNow = false;
            ArmRainWake();
            SaveState();
            _result.Sampled = n;
            return NodeCycleState.Persist;
        }

        // Out of event mode the node samples every sampleSec; rain that reaches eventRainMm in
        // between must not wait for it. The counter's alarm is set to the tips the window still
        // lacks: the window's rain can only grow by what falls after now, so the alarm comes at or
        // before the crossing (early when old rain leaves the window; that wake re-arms).
        private void ArmRainWake()
        {
            Sensors.Rain.RainGaugeSensor gauge = _sampler.RainGauge;
            if (gauge == null)
            {
                return;
            }

            Sensors.ReadResult r;
            if (EventMode.Armed(_config) && _config.EventRainMm > 0 && !_event.Active)
            {
                double lacking = _config.EventRainMm - _event.WindowRainMm;
                bool reached;
                r = gauge.WakeAfterMm(lacking, out reached);
                if (reached)
                {
                    _state.SampleNow = true; // the tips came while awake: sample again in a second
                }
            }
            else
            {
                r = gauge.NoRainWake();
            }

            _result.RainWakeArmed = r == Sensors.ReadResult.Ok && EventMode.Armed(_config) && _config.EventRainMm > 0 && !_event.Active;
        }

        // The config has a PCF8593 gauge and event mode judges rainfall: its alarm may be armed.
        private bool CounterAlarmFitted()
        {
            if (!EventMode.Armed(_config) || _config.EventRainMm <= 0)
            {
                return false;
            }

            SensorConfig[] sensors = _config.Sensors;
            for (int i = 0; i < sensors.Length; i++)
            {
                if (sensors[i].Kind == "rain-pcf8593")
                {
                    return true;
                }
            }

            return false;
        }

        private bool Crosses(ref Reading r)
        {
            ThresholdConfig[] th = _config.Thresholds;
            for (int i = 0; i < th.Length; i++)
            {
                if (th[i].Quantity == r.Quantity && th[i].IsCrossed(r.Value))
                {
                    return true;
                }
            }

            return false;
        }

        private NodeCycleState DoDecideUpload()
        {
            long now = _clock.UtcSeconds;
            bool due = _queue.Count >= _config.BatchMax || _thresholdCrossed || _state.UploadNow || WokenByPin || _service.Active
                || now >= _state.LastUploadUtc + _policy.UploadSec(_config.UploadSec) || now < _state.LastUploadUtc || _coldStart || _policy.LastReportDue;
            bool backingOff = now < _state.NextUploadTryUtc && !_state.UploadNow && !WokenByPin && !_service.Active && !_policy.LastReportDue;
            if (!due || backingOff || !_policy.Uploads)
            {
                return NodeCycleState.Sleep;
            }

            // A service round reuses the session the previous round left open.
            return _connected ? NodeCycleState.Upload : NodeCycleState.Connect;
        }

        private NodeCycleState DoConnect()
        {
            _result.Connected = true;
            _linkSettings.MeasureRssi = RssiSchedule.Due(_coldStart, _service.Active, _clock.UtcSeconds, _state.LastUploadUtc);
            double volts = HealthBatteryVolts();
            _linkSettings.BatteryVolts = FMath.IsFinite(volts) && volts > 0 ? volts : 0;
            TrackClock();
            LinkStatus st = _link.Connect(_linkSettings, Budget(ConnectTimeoutMs));
            if (st != LinkStatus.Ok)
            {
                _link.Disconnect();
                NoteNetworkSync(false);
                Fail(st);
                return NodeCycleState.Sleep;
            }

            _connected = true;

            // Re-synced on every upload wake: the RTC runs from the internal RC oscillator and drifts
            // in deep sleep (up to several %). The firmware's own SNTP client may have set it during
            // the connect already (then the jump is seen and no second sync is asked for).
            if (!NoteNetworkSync(false))
            {
                TrackClock();
                NoteNetworkSync(_link.SyncTime(_config.Ntp, Budget(SyncTimeoutMs)));
            }

            if (_clock.UtcSeconds < ProtocolLimits.SyncedEpoch)
            {
                _state.SyncMisses++;
            }

            long utc = _clock.UtcSeconds;
            _messages.EventMode = _event.Active ? 1 : 0;
            int n = _service.Active
                ? _messages.Online(FirmwareVersion, _state.Boot, _configHash, ServiceHold.RoundSec, (int)_power.ResetReason, (int)_configError, utc, utc + (_service.LeftMs(_clock.Millis) / 1000), _payload)
                : _messages.Online(FirmwareVersion, _state.Boot, _configHash, SampleSec(), (int)_power.ResetReason, (int)_configError, utc, _payload);
            Publish(_topicStatus, n, true);
            return _connected ? NodeCycleState.Upload : NodeCycleState.Sleep;
        }

        // The RTC reads 1970 after a power-on until SNTP sets it, and SNTP runs on its own once the
        // radio has an IP (a wake whose broker connect fails may still set the clock). The jump is
        // measured against where the RTC would be from the wake's start and the tick count, so the
        // readings this boot sampled on the unsynced clock are rebased whichever call set it. The
        // reference point is taken right before each call that may set the clock.
        private void TrackClock()
        {
            _refUtc = _clock.UtcSeconds;
            _refMs = _clock.Millis;
        }

        // The clock is unset (a power-on, no network sync yet in this boot) and the board has a
        // battery-backed RTC: its time, when valid (Time/BackupClock), is a sync like SNTP's, so this
        // boot's readings are stamped with real time and earlier ones of the boot are rebased. The
        // wire protocol does not tell the two apart: the RTC's error (±2 ppm since its last write from
        // SNTP) is below the 1 s resolution of t for the days an outage lasts.
        private void RestoreClock()
        {
            if (BackupClock == null || _config.RtcBus < 0 || _clock.UtcSeconds >= ProtocolLimits.SyncedEpoch)
            {
                return;
            }

            if (BackupClock.Restore(_config.RtcBus) == Sensors.ReadResult.Ok && NoteClockSync(true))
            {
                _result.ClockFromRtc = true;
            }
        }

        // A sync by the network (SNTP, or NITZ through the modem): noted like any other, and written
        // to the battery-backed RTC (OSF cleared) so a power cut from now on keeps the time.
        private bool NoteNetworkSync(bool linkSynced)
        {
            if (!NoteClockSync(linkSynced))
            {
                return false;
            }

            if (BackupClock != null && _config.RtcBus >= 0)
            {
                BackupClock.Save(_config.RtcBus, _clock.UtcSeconds);
            }

            return true;
        }

        // Notes a sync of the RTC since TrackClock: the first of this boot (the RTC read 1970) gives
        // the offset that rebases this boot's readings; a re-sync of a set clock gives the RTC's rate
        // error (the correction ÷ the time since the last sync, health drift). linkSynced: the link
        // saw its SNTP answer land (a correction of 0 s counts then); without it only a jump of
        // ObservedJumpSec or more counts. Returns whether a sync was noted.
        private bool NoteClockSync(bool linkSynced)
        {
            long now = _clock.UtcSeconds;
            long expected = _refUtc + ((_clock.Millis - _refMs) / 1000);
            if (_refUtc < ProtocolLimits.SyncedEpoch)
            {
                if (now < ProtocolLimits.SyncedEpoch)
                {
                    return false;
                }

                _state.ClockOffset = now - expected;
                if (_state.LastSampleUtc < ProtocolLimits.SyncedEpoch)
                {
                    _state.LastSampleUtc += _state.ClockOffset;
                }

                if (_state.LastUploadUtc < ProtocolLimits.SyncedEpoch)
                {
                    _state.LastUploadUtc = now;
                }

                if (_state.NextUploadTryUtc > 0 && _state.NextUploadTryUtc < ProtocolLimits.SyncedEpoch)
                {
                    _state.NextUploadTryUtc += _state.ClockOffset;
                }
            }
            else
            {
                long jump = now - expected;
                if (!linkSynced && jump < ObservedJumpSec && jump > -ObservedJumpSec)
                {
                    return false;
                }

                long since = now - _state.LastSyncUtc;
                if (_state.LastSyncUtc >= ProtocolLimits.SyncedEpoch && since >= MinDriftIntervalSec)
                {
                    long ppm = -jump * 1000000 / since;
                    _state.DriftPpm = ppm > int.MaxValue ? int.MaxValue : (ppm < -int.MaxValue ? -int.MaxValue : (int)ppm);
                }
            }

            _state.LastSyncUtc = now;
            _result.ClockSynced = true;
            TrackClock();
            return true;
        }

        private NodeCycleState DoUpload()
        {
            int max = _config.BatchMax;
            while (AwakeLeftMs() > 0)
            {
                int boot;
                int n = _queue.BeginBatch(_readings, max, out boot);
                if (n == 0)
                {
                    break;
                }

                // Clock unset (no SNTP answer yet in this boot): after SendUnsyncedAfterMisses
                // connected wakes without one, this boot's readings go with the unsynced clk and the
                // gateway rebases them against its own clock (protocol §3), which is exact for them up
                // to the RTC's drift; so a site whose NTP server is unreachable still delivers. An
                // earlier boot's readings cannot share such a batch: placeable ones wait for this
                // boot's clock, those of a boot that never synced can never be placed and are
                // discarded and counted (health unp), so they do not hold the queue forever.
                if (_clock.UtcSeconds < ProtocolLimits.SyncedEpoch && boot == _state.Boot && _state.SyncMisses < SendUnsyncedAfterMisses)
                {
                    break;
                }

                if (_clock.UtcSeconds < ProtocolLimits.SyncedEpoch && boot != _state.Boot)
                {
                    if (_state.OffsetOf(boot) != 0 || !AllUnsynced(n))
                    {
                        break;
                    }

                    _queue.Commit(n);
                    _state.Unplaceable += n;
                    _result.Unplaceable += n;
                    continue;
                }

                Rebase(n, boot);
                int length = EncodeFitting(ref n, boot);
                if (length < 0 || Publish(_topicTelemetry, length, false) != LinkStatus.Ok)
                {
                    return _connected ? NodeCycleState.Receive : NodeCycleState.Sleep;
                }

                _queue.Commit(n);
                _result.Uploaded += n;
            }

            if (_queue.Count == 0)
            {
                _state.LastUploadUtc = _clock.UtcSeconds;
                _state.UploadNow = false;
                _state.Failures = 0;
                _state.NextUploadTryUtc = 0;
            }

            return NodeCycleState.Receive;
        }

        private bool AllUnsynced(int n)
        {
            for (int i = 0; i < n; i++)
            {
                if (_readings[i].Time >= ProtocolLimits.SyncedEpoch)
                {
                    return false;
                }
            }

            return true;
        }

        // Protocol §3: readings taken before their boot's clock was synced get that boot's offset,
        // also when later cold starts came before they could be sent (the state keeps past offsets).
        private void Rebase(int n, int boot)
        {
            long offset = _state.OffsetOf(boot);
            if (offset == 0 || _clock.UtcSeconds < ProtocolLimits.SyncedEpoch)
            {
                return;
            }

            for (int i = 0; i < n; i++)
            {
                if (_readings[i].Time < ProtocolLimits.SyncedEpoch)
                {
                    _readings[i].Time += offset;
                    _readings[i].Flags |= QualityFlags.TimeEstimated;
                }
            }
        }

        private int EncodeFitting(ref int n, int boot)
        {
            _header.Firmware = FirmwareVersion;
            _header.Boot = boot;
            _header.CalibrationId = _batchCalibrationId;

            _header.Battery = HealthBatteryVolts();
            _header.Rssi = _link.Rssi;
            _header.Dropped = _queue.Dropped;
            _header.ResetReason = (int)_power.ResetReason;
            _header.PowerMode = (int)_policy.Mode;
            _header.EventMode = _event.Active ? 1 : 0;
            _header.DriftPpm = _state.DriftPpm;
            _header.Unplaceable = _state.Unplaceable;
            _header.Network = Network;
            _header.SendIccid = !_iccidSent;
            while (n > 0)
            {
                _header.Clock = _clock.UtcSeconds;
                _header.Queued = _queue.Count - n;
                int length = _encoder.Encode(_header, _readings, 0, n, _payload, 0, _payload.Length);
                if (length > 0)
                {
                    _iccidSent = _iccidSent || (Network != null && Network.Iccid != null);
                    return length;
                }

                // Too big for 8192 bytes: retry with what fit (qd grows, so maybe one fewer).
                n = _encoder.Fitted < n ? _encoder.Fitted : n - 1;
            }

            return -1;
        }

        // The battery entry's reading went through its probe and calibration record; the host's
        // own reading uses the nominal divider, so it is the fallback only when there is no
        // calibrated value: no battery entry, none this round, or (not sampled this wake) none kept
        // from the last sampling wake.
        private double HealthBatteryVolts()
        {
            if (FMath.IsFinite(_batteryVolts))
            {
                return _batteryVolts;
            }

            if (!_sampleDue && _state.LastBatteryMillivolts > 0)
            {
                return _state.LastBatteryMillivolts / 1000.0;
            }

            return _power.ReadBatteryVolts();
        }

        private NodeCycleState DoReceive()
        {
            bool uploadAgain = ReceiveUntil(_clock.Millis + ReceiveWindowMs);
            return uploadAgain && _queue.Count > 0 ? NodeCycleState.Upload : NodeCycleState.Sleep;
        }

        // Handles config and commands until the tick count reaches untilMs, the link closes or the
        // awake cap is hit; true when a command asked to upload again now.
        private bool ReceiveUntil(long until)
        {
            bool uploadAgain = false;
            while (_connected && AwakeLeftMs() > 0)
            {
                long wait = until - _clock.Millis;
                if (wait <= 0)
                {
                    break;
                }

                string topic;
                _inbox[0] = 0; // a link that keeps no prefix of a too-large message leaves no stale rev
                int n = _link.Receive(_inbox, Budget((int)wait), out topic);
                if (n == -1)
                {
                    break;
                }

                if (topic == null)
                {
                    continue;
                }

                if (n == -2 && topic.EndsWith("/config"))
                {
                    RefuseTooLargeConfig();
                }
                else if (n < 0)
                {
                    continue;
                }
                else if (topic.EndsWith("/config"))
                {
                    ApplyRemoteConfig(n);
                }
                else if (topic.EndsWith("/cmd"))
                {
                    uploadAgain |= ApplyCommand(n);
                }
            }

            return uploadAgain;
        }

        // Service mode: instead of sleeping, wait out the round (still taking config and commands)
        // and sample again; when the hold is over, or a reboot was asked for, go back to the schedule.
        private bool ServiceRoundNext()
        {
            if (!_service.Active)
            {
                return false;
            }

            // A battery that fell to the no-upload mode ends the hold too: staying awake would drain it.
            if (!_reboot && _policy.Uploads && _service.AnotherRound(_clock.Millis))
            {
                long until = _roundStartMs + ((long)ServiceHold.RoundSec * 1000);
                ReceiveUntil(until);
                long wait = until - _clock.Millis;
                if (wait > 0)
                {
                    _clock.Sleep((int)wait);
                }

                if (!_reboot)
                {
                    return true;
                }
            }

            // Back to the schedule: the closing status and state save get a fresh awake budget.
            _service.End();
            _wakeStartMs = _clock.Millis;
            return false;
        }

        // The gateway publishes the complete overlay (protocol §6): it goes on top of the flashed
        // config, not on what earlier overlays left, so the config in force is what the next boot
        // builds. A refused one changes neither the config in force nor the saved overlay.
        private void ApplyRemoteConfig(int length)
        {
            int rev;
            ConfigError e = _configParser.ParseRemote(_inbox, 0, length, _flashed, _config, out rev);
            if (e == ConfigError.None)
            {
                _state.SaveRemoteConfig(_inbox, length);
                _configHash = RemoteHash(length);
            }

            AckConfig(rev, e);
        }

        // Larger than the inbox (ConfigParser.MaxRemoteBytes): refused whole, never truncated;
        // the link kept its first bytes, enough for a rev written before the long parts.
        private void RefuseTooLargeConfig()
        {
            AckConfig(_configParser.RemoteRevision(_inbox, 0, _inbox.Length), ConfigError.TooLarge);
        }

        private void AckConfig(int rev, ConfigError e)
        {
            int n = _messages.ConfigAck(rev < 0 ? 0 : rev, (int)e, _small);
            Publish(_topicConfigAck, _small, n);
        }

        // Status "cfg": CRC of the flashed document, chained with the remote config in force.
        private uint RemoteHash(int remoteLength)
        {
            return Crc32.Finish(Crc32.Update(Crc32.Finish(_flashedHash), _inbox, 0, remoteLength));
        }

        // Returns true when the queue should be uploaded again now (upload_now).
        private bool ApplyCommand(int length)
        {
            int err = _commandParser.Parse(_inbox, 0, length, _command);
            bool uploadAgain = false;
            if (err == CommandError.None)
            {
                switch (_command.Kind)
                {
                    case CommandKind.SampleNow:
                        // whoever asks for a sample wants to see it: the next wake (1 s on) samples and uploads
                        _state.SampleNow = true;
                        _state.UploadNow = true;
                        break;
                    case CommandKind.UploadNow:
                        uploadAgain = true;
                        break;
                    case CommandKind.Reboot:
                        _reboot = true;
                        break;
                    case CommandKind.ClearQueue:
                        _queue.Clear();
                        break;
                    case CommandKind.SetInterval:
                        _state.SampleSecOverride = _command.Seconds;
                        break;
                    case CommandKind.TimeSync:
                        TrackClock();
                        bool synced = _link.SyncTime(_config.Ntp, Budget(SyncTimeoutMs));
                        NoteNetworkSync(synced);
                        if (!synced)
                        {
                            err = CommandError.BadArgument;
                        }

                        break;
                }
            }

            int n = _messages.CommandAck(_command.Id, err, _small);
            Publish(_topicCmdAck, _small, n);
            return uploadAgain;
        }

        private NodeCycleState DoSleep()
        {
            if (ServiceRoundNext())
            {
                return NodeCycleState.StartSensors;
            }

            long now = _clock.UtcSeconds;
            long next = _state.SampleNow ? now + 1 : _state.LastSampleUtc + SampleSec();
            if (next <= now)
            {
                next = now + 1;
            }

            if (_connected)
            {
                int n = _messages.Sleeping(next, now, _payload);
                Publish(_topicStatus, n, true);
                _link.Disconnect();
                _connected = false;
            }

            SensorsOff(); // a wake cut short by the awake cap before its round ended
            NoteNetworkSync(false);
            SaveState();
            int seconds = (int)(next - now);
            _result.SleepSeconds = seconds;
            _result.PowerMode = (int)_policy.Mode;
            _result.EventMode = _event.Active;
            if (_reboot)
            {
                _reboot = false;
                _result.Rebooted = true;
                _power.Reboot();
            }
            else
            {
                _power.CounterWake = CounterAlarmFitted();
                _power.DeepSleep(seconds);
            }

            return NodeCycleState.Done;
        }

        // Once per round: a sensor told to sleep twice would be written to after its rail went off.
        private void SensorsOff()
        {
            if (_sensorsOn)
            {
                _sensorsOn = false;
                _sampler.SleepAll();
            }
        }

        // The host's watchdog thread may save the state too (Expire): one writer at a time.
        private void SaveState()
        {
            lock (_stateLock)
            {
                _state.Save();
            }
        }

        // Seconds from now to the next sampling time (at least 1).
        private int NextWakeSeconds()
        {
            long now = _clock.UtcSeconds;
            long next = _state.SampleNow ? now + 1 : _state.LastSampleUtc + SampleSec();
            return next <= now ? 1 : (int)(next - now);
        }

        private LinkStatus Publish(string topic, int length, bool retain)
        {
            return Publish(topic, _payload, length, retain);
        }

        private LinkStatus Publish(string topic, byte[] buffer, int length)
        {
            return Publish(topic, buffer, length, false);
        }

        private LinkStatus Publish(string topic, byte[] buffer, int length, bool retain)
        {
            if (length <= 0 || !_connected)
            {
                return LinkStatus.Disconnected;
            }

            LinkStatus st = _link.Publish(topic, buffer, 0, length, retain, Budget(PublishTimeoutMs));
            if (st != LinkStatus.Ok)
            {
                _connected = false;
                _link.Disconnect();
                Fail(st);
            }

            return st;
        }

        private void Fail(LinkStatus st)
        {
            _result.LinkError = st;
            _state.Failures++;
            int shift = _state.Failures - 1 > 10 ? 10 : _state.Failures - 1;
            long backoff = (long)BackoffBaseSec << shift;
            if (backoff > _config.UploadSec)
            {
                backoff = _config.UploadSec;
            }

            _state.NextUploadTryUtc = _clock.UtcSeconds + backoff;
        }

        private int SampleSec()
        {
            int sec = _state.SampleSecOverride > 0 ? _state.SampleSecOverride : _config.SampleSec;
            return _policy.SampleSec(_event.Active && _config.EventSampleSec < sec ? _config.EventSampleSec : sec);
        }

        private long AwakeLeftMs()
        {
            if (_service.Active)
            {
                return _service.LeftMs(_clock.Millis);
            }

            return ((long)_config.MaxAwakeSec * 1000) - (_clock.Millis - _wakeStartMs);
        }

        private int Budget(int wantMs)
        {
            long left = AwakeLeftMs();
            return left < wantMs ? (left < 1 ? 1 : (int)left) : wantMs;
        }
    }
}
