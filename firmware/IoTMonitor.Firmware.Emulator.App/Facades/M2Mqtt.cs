// nanoFramework.M2Mqtt v5.1.220 on the model (reference §7; MqttSession carries the timings):
// the constructor resolves DNS and throws on failure; Connect waits CONNACK up to 30 s; Publish and
// Subscribe only enqueue; events come from the dispatch side; Close clears queues without events;
// nothing reconnects.
using System;
using System.Collections;
using System.Security.Cryptography.X509Certificates;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;
using nanoFramework.M2Mqtt.Exceptions;
using nanoFramework.M2Mqtt.Messages;

namespace nanoFramework.M2Mqtt
{
    public class MqttClient : IDisposable
    {
        private readonly Esp32Device _device;
        private readonly string _ip;
        private readonly int _port;
        private MqttSession _session;
        private ushort _nextId = 1;
        private bool _connected;

        public MqttClient(string brokerHostName)
            : this(brokerHostName, 1883, false, null, null, MqttSslProtocols.None)
        {
        }

        public MqttClient(string brokerHostName, int brokerPort, bool secure, X509Certificate caCert, X509Certificate clientCert, MqttSslProtocols sslProtocol)
        {
            _device = Esp32Device.Current;
            _device.Step("mqtt-dns");
            _ip = _device.Radio.Resolve(_device, brokerHostName);
            if (_ip == null)
            {
                throw new System.Net.Sockets.SocketException(11001); // host not found: the constructor throws
            }

            _port = _device.Radio.BrokerPort > 0 ? _device.Radio.BrokerPort : brokerPort;
        }

        public delegate void MqttMsgPublishEventHandler(object sender, MqttMsgPublishEventArgs e);

        public delegate void MqttMsgPublishedEventHandler(object sender, MqttMsgPublishedEventArgs e);

        public delegate void MqttMsgSubscribedEventHandler(object sender, MqttMsgSubscribedEventArgs e);

        public delegate void ConnectionClosedEventHandler(object sender, EventArgs e);

        public event MqttMsgPublishEventHandler MqttMsgPublishReceived;

        public event MqttMsgPublishedEventHandler MqttMsgPublished;

        public event MqttMsgSubscribedEventHandler MqttMsgSubscribed;

        public event ConnectionClosedEventHandler ConnectionClosed;

        public bool IsConnected
        {
            get { return _connected && _session != null && _session.IsConnected; }
        }

        public string ClientId { get; private set; }

        public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.Version_3_1_1;

        public MqttReasonCode Connect(string clientId)
        {
            return Connect(clientId, null, null, false, MqttQoSLevel.AtMostOnce, false, null, null, true, 60);
        }

        public MqttReasonCode Connect(string clientId, string username, string password)
        {
            return Connect(clientId, username, password, false, MqttQoSLevel.AtMostOnce, false, null, null, true, 60);
        }

        public MqttReasonCode Connect(string clientId, string username, string password, bool cleanSession, ushort keepAlivePeriod)
        {
            return Connect(clientId, username, password, false, MqttQoSLevel.AtMostOnce, false, null, null, cleanSession, keepAlivePeriod);
        }

        public MqttReasonCode Connect(string clientId, string username, string password, bool willRetain, MqttQoSLevel willQosLevel, bool willFlag, string willTopic, string willMessage, bool cleanSession, ushort keepAlivePeriod)
        {
            ClientId = clientId;
            _session = new MqttSession(_device, _ip, _port);
            _session.Received = (topic, payload, dup, qos, retain) =>
            {
                MqttMsgPublishEventHandler h = MqttMsgPublishReceived;
                if (h != null)
                {
                    h(this, new MqttMsgPublishEventArgs(topic, payload, dup, (MqttQoSLevel)qos, retain));
                }
            };
            _session.Closed = () =>
            {
                _connected = false;
                ConnectionClosedEventHandler h = ConnectionClosed;
                if (h != null)
                {
                    h(this, EventArgs.Empty);
                }
            };
            int code;
            try
            {
                byte[] will = willMessage == null ? null : System.Text.Encoding.UTF8.GetBytes(willMessage);
                code = _session.Connect(clientId, username, password, willRetain, (int)willQosLevel, willFlag, willTopic, will, cleanSession, keepAlivePeriod);
            }
            catch (MqttTransportException e)
            {
                if (e.Failure == ConnectFailure.NoConnack)
                {
                    throw new MqttCommunicationException(e.Message);
                }

                throw new MqttConnectionException(e.Message);
            }

            _connected = code == 0;
            return (MqttReasonCode)code;
        }

        public void Disconnect()
        {
            _connected = false;
            if (_session != null)
            {
                _session.Disconnect();
            }
        }

        public void Close()
        {
            _connected = false;
            if (_session != null)
            {
                _session.Abort();
            }
        }

        public ushort Subscribe(string[] topics, MqttQoSLevel[] qosLevels)
        {
            ushort id = _nextId++;
            if (_session != null)
            {
                _session.Subscribe(id, topics, i =>
                {
                    MqttMsgSubscribedEventHandler h = MqttMsgSubscribed;
                    if (h != null)
                    {
                        h(this, new MqttMsgSubscribedEventArgs(i, qosLevels));
                    }
                });
            }

            return id;
        }

        public ushort Unsubscribe(string[] topics)
        {
            return _nextId++;
        }

        public ushort Publish(string topic, byte[] message)
        {
            return Publish(topic, message, null, null, MqttQoSLevel.AtMostOnce, false);
        }

        public ushort Publish(string topic, byte[] message, string contentType, ArrayList userProperties, MqttQoSLevel qosLevel, bool retain)
        {
            ushort id = _nextId++;
            if (_session != null)
            {
                _session.Publish(id, topic, message, (int)qosLevel, retain, (i, ok) =>
                {
                    MqttMsgPublishedEventHandler h = MqttMsgPublished;
                    if (h != null)
                    {
                        h(this, new MqttMsgPublishedEventArgs(i, ok));
                    }
                });
            }

            return id;
        }

        public void Dispose()
        {
            Close();
        }
    }

    public enum MqttSslProtocols
    {
        None,
        SSLv3,
        TLSv1_0,
        TLSv1_1,
        TLSv1_2,
        TLSv1_3,
    }

    public enum MqttProtocolVersion
    {
        Version_3_1 = 3,
        Version_3_1_1 = 4,
        Version_5 = 5,
    }
}

namespace nanoFramework.M2Mqtt.Messages
{
    public enum MqttQoSLevel
    {
        AtMostOnce = 0,
        AtLeastOnce = 1,
        ExactlyOnce = 2,
        GrantedFailure = 0x80,
    }

    public enum MqttReasonCode
    {
        Success = 0,
        ConnectionRefusedUnacceptableProtocolVersion = 1,
        ConnectionRefusedIdentifierRejected = 2,
        ConnectionRefusedServerUnavailable = 3,
        ConnectionRefusedBadUserNameOrPassword = 4,
        ConnectionRefusedNotAuthorized = 5,
    }

    public class MqttMsgPublishEventArgs : EventArgs
    {
        internal MqttMsgPublishEventArgs(string topic, byte[] message, bool dup, MqttQoSLevel qos, bool retain)
        {
            Topic = topic;
            Message = message;
            DupFlag = dup;
            QosLevel = qos;
            Retain = retain;
        }

        public string Topic { get; }

        public byte[] Message { get; }

        public bool DupFlag { get; }

        public MqttQoSLevel QosLevel { get; }

        public bool Retain { get; }
    }

    public class MqttMsgPublishedEventArgs : EventArgs
    {
        internal MqttMsgPublishedEventArgs(ushort id, bool ok)
        {
            MessageId = id;
            IsPublished = ok;
        }

        public ushort MessageId { get; }

        public bool IsPublished { get; }
    }

    public class MqttMsgSubscribedEventArgs : EventArgs
    {
        internal MqttMsgSubscribedEventArgs(ushort id, MqttQoSLevel[] granted)
        {
            MessageId = id;
            GrantedQoSLevels = granted;
        }

        public ushort MessageId { get; }

        public MqttQoSLevel[] GrantedQoSLevels { get; }
    }
}

namespace nanoFramework.M2Mqtt.Exceptions
{
    public class MqttConnectionException : Exception
    {
        public MqttConnectionException(string message)
            : base(message)
        {
        }
    }

    public class MqttCommunicationException : Exception
    {
        public MqttCommunicationException(string message)
            : base(message)
        {
        }
    }

    public class MqttClientException : Exception
    {
        public MqttClientException(string message)
            : base(message)
        {
        }
    }
}
