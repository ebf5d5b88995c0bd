// GPIO, ADC, I2C, UART and 1-Wire on the model. GPIO outputs are recorded (rails' on-time); the ADC
// gives raw counts 0..4095 only on ADC1 channels 0-7 (reference §12, NFI System.Device.Adc); buses
// with no modelled device behave as an empty bus: I2C NACKs an address with no chip in
// Esp32Device.I2cTargets, the UART times out after
// ReadTimeout, 1-Wire finds no presence pulse. Each such read costs its timeout in virtual time.
using System;
using System.Collections;
using IoTMonitor.Firmware.Emulator.Device;

namespace System
{
    public struct SpanByte
    {
        private readonly byte[] _array;
        private readonly int _start;
        private readonly int _length;

        public SpanByte(byte[] array, int start, int length)
        {
            _array = array;
            _start = start;
            _length = length;
        }

        public int Length
        {
            get { return _length; }
        }

        public byte this[int index]
        {
            get { return _array[_start + index]; }
            set { _array[_start + index] = value; }
        }
    }
}

namespace System.Device.Gpio
{
    public sealed class GpioController : IDisposable
    {
        public GpioPin OpenPin(int pinNumber)
        {
            return new GpioPin(pinNumber);
        }

        public GpioPin OpenPin(int pinNumber, PinMode mode)
        {
            return new GpioPin(pinNumber);
        }

        public void ClosePin(int pinNumber)
        {
        }

        public bool IsPinOpen(int pinNumber)
        {
            return false;
        }

        public void Write(int pinNumber, PinValue value)
        {
            Esp32Device.Current.WritePin(pinNumber, value.IsHigh);
        }

        public PinValue Read(int pinNumber)
        {
            return Esp32Device.Current.ReadPin(pinNumber);
        }

        public void Dispose()
        {
        }
    }

    public sealed class GpioPin : IDisposable
    {
        private readonly int _pin;

        internal GpioPin(int pin)
        {
            _pin = pin;
        }

        public int PinNumber
        {
            get { return _pin; }
        }

        public void SetPinMode(PinMode value)
        {
        }

        public PinValue Read()
        {
            return Esp32Device.Current.ReadPin(_pin);
        }

        public void Write(PinValue value)
        {
            Esp32Device.Current.WritePin(_pin, value.IsHigh);
        }

        public void Dispose()
        {
        }
    }

    public enum PinMode
    {
        Input,
        InputPullDown,
        InputPullUp,
        Output,
        OutputOpenDrain,
        OutputOpenDrainPullUp,
        OutputOpenSource,
        OutputOpenSourcePullDown,
    }

    public readonly struct PinValue
    {
        private readonly bool _high;

        private PinValue(bool high)
        {
            _high = high;
        }

        public static PinValue High
        {
            get { return new PinValue(true); }
        }

        public static PinValue Low
        {
            get { return new PinValue(false); }
        }

        internal bool IsHigh
        {
            get { return _high; }
        }

        public static implicit operator PinValue(int value)
        {
            return new PinValue(value != 0);
        }

        public static implicit operator PinValue(bool value)
        {
            return new PinValue(value);
        }

        public static bool operator ==(PinValue a, PinValue b)
        {
            return a._high == b._high;
        }

        public static bool operator !=(PinValue a, PinValue b)
        {
            return a._high != b._high;
        }

        public override bool Equals(object obj)
        {
            return obj is PinValue p && p._high == _high;
        }

        public override int GetHashCode()
        {
            return _high ? 1 : 0;
        }
    }
}

namespace System.Device.Adc
{
    public class AdcController
    {
        public int ChannelCount
        {
            get { return 20; }
        }

        public int MaxValue
        {
            get { return 4095; }
        }

        public int MinValue
        {
            get { return 0; }
        }

        public int ResolutionInBits
        {
            get { return 12; }
        }

        public AdcChannel OpenChannel(int channelNumber)
        {
            if (channelNumber >= 10)
            {
                throw new InvalidOperationException("ADC2 unavailable while Wi-Fi is on (CLR_E_PIN_UNAVAILABLE)");
            }

            if (channelNumber == 9)
            {
                throw new NotSupportedException("Hall sensor channel");
            }

            return new AdcChannel(this, channelNumber);
        }
    }

    public class AdcChannel : IDisposable
    {
        private readonly AdcController _controller;
        private readonly int _channel;

        internal AdcChannel(AdcController controller, int channel)
        {
            _controller = controller;
            _channel = channel;
        }

        public AdcController Controller
        {
            get { return _controller; }
        }

        public int ReadValue()
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("adc");
            int raw = d.ReadAdc(_channel);
            return raw < 0 ? 0 : raw > 4095 ? 4095 : raw;
        }

        public double ReadRatio()
        {
            return ReadValue() / 4095.0;
        }

        public void Dispose()
        {
        }
    }
}

namespace System.Device.I2c
{
    public sealed class I2cConnectionSettings
    {
        public I2cConnectionSettings(int busId, int deviceAddress)
            : this(busId, deviceAddress, I2cBusSpeed.StandardMode)
        {
        }

        public I2cConnectionSettings(int busId, int deviceAddress, I2cBusSpeed busSpeed)
        {
            BusId = busId;
            DeviceAddress = deviceAddress;
            BusSpeed = busSpeed;
        }

        public int BusId { get; }

        public int DeviceAddress { get; }

        public I2cBusSpeed BusSpeed { get; }
    }

    public class I2cDevice : IDisposable
    {
        private readonly I2cConnectionSettings _settings;

        public I2cDevice(I2cConnectionSettings settings)
        {
            _settings = settings;
        }

        public static I2cDevice Create(I2cConnectionSettings settings)
        {
            return new I2cDevice(settings);
        }

        public I2cConnectionSettings ConnectionSettings
        {
            get { return _settings; }
        }

        public byte ReadByte()
        {
            byte[] one = new byte[1];
            if (!Esp32Device.Current.I2cTransfer(_settings.DeviceAddress, one, 0, one, 1))
            {
                throw new System.IO.IOException("address NACK");
            }

            return one[0];
        }

        public I2cTransferResult Read(SpanByte buffer)
        {
            return Transfer(new SpanByte(new byte[0], 0, 0), buffer);
        }

        public I2cTransferResult WriteByte(byte value)
        {
            return Transfer(new SpanByte(new byte[] { value }, 0, 1), new SpanByte(new byte[0], 0, 0));
        }

        public I2cTransferResult Write(SpanByte buffer)
        {
            return Transfer(buffer, new SpanByte(new byte[0], 0, 0));
        }

        public I2cTransferResult WriteRead(SpanByte writeBuffer, SpanByte readBuffer)
        {
            return Transfer(writeBuffer, readBuffer);
        }

        public void Dispose()
        {
        }

        // The chips on the model's bus (Esp32Device.I2cTargets); an address nobody answers NACKs.
        private I2cTransferResult Transfer(SpanByte write, SpanByte read)
        {
            byte[] w = new byte[write.Length];
            for (int i = 0; i < w.Length; i++)
            {
                w[i] = write[i];
            }

            byte[] r = new byte[read.Length];
            if (!Esp32Device.Current.I2cTransfer(_settings.DeviceAddress, w, w.Length, r, r.Length))
            {
                return new I2cTransferResult(0, I2cTransferStatus.SlaveAddressNotAcknowledged);
            }

            for (int i = 0; i < r.Length; i++)
            {
                read[i] = r[i];
            }

            return new I2cTransferResult((uint)(w.Length + r.Length), I2cTransferStatus.FullTransfer);
        }
    }

    public struct I2cTransferResult
    {
        internal I2cTransferResult(uint bytes, I2cTransferStatus status)
        {
            BytesTransferred = bytes;
            Status = status;
        }

        public uint BytesTransferred { get; }

        public I2cTransferStatus Status { get; }
    }

    public enum I2cTransferStatus
    {
        UnknownError,
        FullTransfer,
        ClockStretchTimeout,
        PartialTransfer,
        SlaveAddressNotAcknowledged,
    }

    public enum I2cBusSpeed
    {
        StandardMode,
        FastMode,
        FastModePlus,
    }
}

namespace System.IO.Ports
{
    public sealed class SerialPort : IDisposable
    {
        // What the device on the port has sent and the app has not read yet (the UART's RX buffer).
        private byte[] _rx = new byte[256];
        private int _rxCount;
        private readonly string _portName;

        public SerialPort(string portName, int baudRate = 9600, Parity parity = Parity.None, int dataBits = 8, StopBits stopBits = StopBits.One)
        {
            _portName = portName;
            BaudRate = baudRate;
        }

        public bool IsOpen { get; private set; }

        public int BaudRate { get; set; }

        public Handshake Handshake { get; set; }

        public SerialMode Mode { get; set; }

        public int ReadTimeout { get; set; }

        public int WriteTimeout { get; set; }

        public int ReadBufferSize { get; set; }

        public int BytesToRead
        {
            get
            {
                Pull();
                return _rxCount;
            }
        }

        public static string[] GetPortNames()
        {
            return new string[] { "COM1", "COM2", "COM3" };
        }

        public void Open()
        {
            Esp32Device.Current.Step("uart");
            _rx = new byte[ReadBufferSize > 0 ? ReadBufferSize : 256]; // nanoFramework: 256 unless set while closed (reference §8)
            _rxCount = 0;
            IsOpen = true;
        }

        public void Close()
        {
            IsOpen = false;
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            Esp32Device.Current.Step("uart");
            Pull();
            if (_rxCount == 0)
            {
                Esp32Device.Current.Advance(ReadTimeout > 0 ? ReadTimeout : 0);
                Pull();
                if (_rxCount == 0)
                {
                    throw new TimeoutException("nothing received on " + _portName);
                }
            }

            int n = count < _rxCount ? count : _rxCount;
            Array.Copy(_rx, 0, buffer, offset, n);
            Array.Copy(_rx, n, _rx, 0, _rxCount - n);
            _rxCount -= n;
            return n;
        }

        public int ReadByte()
        {
            byte[] one = new byte[1];
            Read(one, 0, 1);
            return one[0];
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            Esp32Device.Current.Step("uart");
            Esp32Device.Current.Advance(1 + (count * 10 * 1000 / BaudRate));
            ModemSocket device;
            if (IsOpen && Esp32Device.Current.Uarts.TryGetValue(_portName, out device))
            {
                device.Write(buffer, offset, count);
            }
        }

        public void Dispose()
        {
            Close();
        }

        private void Pull()
        {
            ModemSocket device;
            if (IsOpen && _rxCount < _rx.Length && Esp32Device.Current.Uarts.TryGetValue(_portName, out device))
            {
                _rxCount += device.Read(_rx, _rxCount, _rx.Length - _rxCount);
            }
        }
    }

    public enum Parity
    {
        None,
        Odd,
        Even,
    }

    public enum StopBits
    {
        One = 1,
        Two = 2,
        OnePointFive = 3,
    }

    public enum Handshake
    {
        None,
        XOnXOff,
        RequestToSend,
        RequestToSendXOnXOff,
    }

    public enum SerialMode
    {
        Normal,
        RS485,
    }
}

namespace nanoFramework.Device.OneWire
{
    public class OneWireHost : IDisposable
    {
        public byte[] SerialNumber
        {
            get { return new byte[8]; }
        }

        public bool TouchReset()
        {
            Esp32Device.Current.Step("onewire");
            return false; // no presence pulse
        }

        public bool TouchBit(bool sendBit)
        {
            return true;
        }

        public byte TouchByte(byte sendByte)
        {
            return 0xFF;
        }

        public byte WriteByte(byte sendByte)
        {
            return 0xFF;
        }

        public byte ReadByte()
        {
            return 0xFF;
        }

        public bool FindFirstDevice(bool performResetBeforeSearch, bool searchWithAlarmCommand)
        {
            return false;
        }

        public bool FindNextDevice(bool performResetBeforeSearch, bool searchWithAlarmCommand)
        {
            return false;
        }

        public ArrayList FindAllDevices()
        {
            return new ArrayList();
        }

        public void Dispose()
        {
        }
    }
}
