// Mirrors nanoFramework.M2Mqtt v5.1.220 (asms nanoFramework.M2Mqtt + nanoFramework.M2Mqtt.Core;
// ns nanoFramework.M2Mqtt, .Messages, .Exceptions); reference §12. The event delegates are
// nested in MqttClient as in the real source; callers attach method groups, so their exact
// nesting (MqttClient or IMqttClient) does not matter to the app.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;
using System.Collections;
using System.Security.Cryptography.X509Certificates;
using nanoFramework.M2Mqtt.Messages;

namespace nanoFramework.M2Mqtt
{
    public class MqttClient : IDisposable
    {
        public MqttClient(string brokerHostName)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public MqttClient(string brokerHostName, int brokerPort, bool secure, X509Certificate caCert, X509Certificate clientCert, MqttSslProtocols sslProtocol)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public delegate void MqttMsgPublishEventHandler(object sender, MqttMsgPublishEventArgs e);

        public delegate void MqttMsgPublishedEventHandler(object sender, MqttMsgPublishedEventArgs e);

        public delegate void MqttMsgSubscribedEventHandler(object sender, MqttMsgSubscribedEventArgs e);

        public delegate void ConnectionClosedEventHandler(object sender, EventArgs e);

#pragma warning disable CS0067 // declared to mirror the API; a shim never raises events
        public event MqttMsgPublishEventHandler MqttMsgPublishReceived;

        public event MqttMsgPublishedEventHandler MqttMsgPublished;

        public event MqttMsgSubscribedEventHandler MqttMsgSubscribed;

        public event ConnectionClosedEventHandler ConnectionClosed;
#pragma warning restore CS0067

        public bool IsConnected
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public string ClientId
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public MqttProtocolVersion ProtocolVersion
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public MqttReasonCode Connect(string clientId)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public MqttReasonCode Connect(string clientId, string username, string password)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public MqttReasonCode Connect(string clientId, string username, string password, bool cleanSession, ushort keepAlivePeriod)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public MqttReasonCode Connect(string clientId, string username, string password, bool willRetain, MqttQoSLevel willQosLevel, bool willFlag, string willTopic, string willMessage, bool cleanSession, ushort keepAlivePeriod)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Disconnect()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Close()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public ushort Subscribe(string[] topics, MqttQoSLevel[] qosLevels)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public ushort Unsubscribe(string[] topics)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public ushort Publish(string topic, byte[] message)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public ushort Publish(string topic, byte[] message, string contentType, ArrayList userProperties, MqttQoSLevel qosLevel, bool retain)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Dispose()
        {
            throw new NotSupportedException("shim: compile-only");
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
        private MqttMsgPublishEventArgs()
        {
        }

        public string Topic
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public byte[] Message
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public bool DupFlag
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public MqttQoSLevel QosLevel
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public bool Retain
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }
    }

    public class MqttMsgPublishedEventArgs : EventArgs
    {
        private MqttMsgPublishedEventArgs()
        {
        }

        public ushort MessageId
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public bool IsPublished
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }
    }

    public class MqttMsgSubscribedEventArgs : EventArgs
    {
        private MqttMsgSubscribedEventArgs()
        {
        }

        public ushort MessageId
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public MqttQoSLevel[] GrantedQoSLevels
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }
    }
}

namespace nanoFramework.M2Mqtt.Exceptions
{
    public class MqttConnectionException : Exception
    {
        private MqttConnectionException()
        {
        }
    }

    public class MqttCommunicationException : Exception
    {
        private MqttCommunicationException()
        {
        }
    }

    public class MqttClientException : Exception
    {
        private MqttClientException()
        {
        }
    }
}
