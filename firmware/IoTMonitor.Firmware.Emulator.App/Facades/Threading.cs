// System.Threading as the app uses it, on the model's virtual time: Thread.Sleep, Timer callbacks,
// AutoResetEvent waits and CancellationTokenSource(ms) all count virtual milliseconds. Runtime
// events (Timer, M2Mqtt dispatch) run on the app's thread while it waits (reference §8: there is no
// task watchdog; a Timer is the app's own guard).
using System;
using IoTMonitor.Firmware.Emulator.Device;

namespace System.Threading
{
    public static class Thread
    {
        public static void Sleep(int millisecondsTimeout)
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("sleep-ms");
            if (millisecondsTimeout < 0)
            {
                d.Wait(-1, () => false);
                return;
            }

            d.Advance(millisecondsTimeout);
        }
    }

    public sealed class Timer : IDisposable
    {
        private readonly TimerCallback _callback;
        private readonly object _state;
        private readonly Esp32Device _device;
        private Action _pending;

        public Timer(TimerCallback callback, object state, int dueTime, int period)
        {
            _callback = callback;
            _state = state;
            _device = Esp32Device.Current;
            Change(dueTime, period);
        }

        public bool Change(int dueTime, int period)
        {
            if (_pending != null)
            {
                _device.Unschedule(_pending);
                _pending = null;
            }

            if (dueTime >= 0)
            {
                int p = period;
                Action run = null;
                run = () =>
                {
                    _pending = null;
                    if (p > 0)
                    {
                        _pending = run;
                        _device.Schedule(_device.TrueMs + p, run);
                    }

                    _callback(_state);
                };
                _pending = run;
                _device.Schedule(_device.TrueMs + dueTime, run);
            }

            return true;
        }

        public void Dispose()
        {
            if (_pending != null)
            {
                _device.Unschedule(_pending);
                _pending = null;
            }
        }
    }

    public class AutoResetEvent
    {
        private bool _set;

        public AutoResetEvent(bool initialState)
        {
            _set = initialState;
        }

        public bool Set()
        {
            _set = true;
            return true;
        }

        public bool Reset()
        {
            _set = false;
            return true;
        }

        public bool WaitOne()
        {
            return WaitOne(-1, false);
        }

        public bool WaitOne(int millisecondsTimeout, bool exitContext)
        {
            bool got = Esp32Device.Current.Wait(millisecondsTimeout, () => _set);
            if (got)
            {
                _set = false;
            }

            return got;
        }
    }

    public class CancellationTokenSource : IDisposable
    {
        private readonly long _deadline;
        private bool _cancelled;

        public CancellationTokenSource()
        {
            _deadline = long.MaxValue;
        }

        public CancellationTokenSource(int millisecondsDelay)
        {
            _deadline = Esp32Device.Current.TrueMs + millisecondsDelay;
        }

        public CancellationTokenSource(TimeSpan delay)
            : this((int)delay.TotalMilliseconds)
        {
        }

        public CancellationToken Token
        {
            get { return new CancellationToken(this); }
        }

        public bool IsCancellationRequested
        {
            get { return _cancelled || Esp32Device.Current.TrueMs >= _deadline; }
        }

        internal long Deadline
        {
            get { return _cancelled ? 0 : _deadline; }
        }

        public void Cancel()
        {
            _cancelled = true;
        }

        public void Dispose()
        {
        }
    }

    public struct CancellationToken
    {
        private readonly CancellationTokenSource _source;

        internal CancellationToken(CancellationTokenSource source)
        {
            _source = source;
        }

        public static CancellationToken None
        {
            get { return default(CancellationToken); }
        }

        public bool IsCancellationRequested
        {
            get { return _source != null && _source.IsCancellationRequested; }
        }

        public bool CanBeCanceled
        {
            get { return _source != null; }
        }

        /// <summary>Virtual ms left before cancellation (-1: never).</summary>
        internal long LeftMs
        {
            get { return _source == null || _source.Deadline == long.MaxValue ? -1 : Math.Max(0, _source.Deadline - Esp32Device.Current.TrueMs); }
        }
    }
}
