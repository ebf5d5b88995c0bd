#!/usr/bin/env python3
"""Provisions a RabbitMQ 3.10 cluster for IoTMonitor's cluster mode (docs/operations.md "Cluster mode").

  rabbitmq-provision.py devices FILE|-            one line per device: site,device,secret
  rabbitmq-provision.py gateway USER PASSWORD     the gateway replicas' AMQP user
  rabbitmq-provision.py topology [--partitions N] the uplink exchange, partition queues and bindings

Each command builds one definitions document and imports it with `rabbitmqctl import_definitions`
(one call, whatever the number of devices; users, permissions and queues are cluster-wide, so any
node will do). Options: --node NODE (rabbitmqctl -n), --vhost VHOST (default "/"; it must exist:
`rabbitmqctl add_vhost VHOST`), --print (write the JSON to stdout instead).

Why a script and not the gateway: the registry keeps only salted hashes of device secrets, so the
secret must be entered when POST /api/v1/devices answers it, as with Mosquitto's password file.

Facts used (docs/references.md, "Clustered broker"): password_hash = base64(salt[4] + SHA-256(salt +
password)) with rabbit_password_hashing_sha256 (rabbit_password.erl, v3.10.8); the MQTT plugin maps
topic `a/b` to routing key `a.b` and checks topic permissions on amq.topic with it; a persistent
session's QoS 1 subscription is the queue `mqtt-subscription-<client id>qos1`.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")  # docs/protocol.md §1
UPLINK_EXCHANGE = "iotmon.uplink"
UPLINK_QUEUE = "iotmon.uplink.{}"
UPLINK_KINDS = ["telemetry", "status", "config.ack", "cmd.ack"]


def password_hash(password):
    salt = os.urandom(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode("ascii")


def user(name, password):
    return {"name": name, "password_hash": password_hash(password),
            "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ""}


def device_definitions(lines, vhost):
    users, perms, topic_perms = [], [], []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(",", 2)
        if len(parts) != 3:
            raise SystemExit(f"line {number}: expected site,device,secret")
        site, device, secret = parts
        for what, value in (("site", site), ("device", device)):
            if not ID.match(value):
                raise SystemExit(f"line {number}: {what} id '{value}' is not valid (docs/protocol.md §1)")
        if not secret:
            raise SystemExit(f"line {number}: empty secret")
        users.append(user(device, secret))
        # its own session queue only (client id {device} or {site}/{device}); write on amq.topic to publish
        session = f"^mqtt-subscription-({device}|{site}/{device})qos[01]$"
        perms.append({"user": device, "vhost": vhost, "configure": session,
                      "write": f"^amq\\.topic$|{session}", "read": f"^amq\\.topic$|{session}"})
        own = f"^iotmon\\.v1\\.{site}\\.{device}\\."
        topic_perms.append({"user": device, "vhost": vhost, "exchange": "amq.topic",
                            "write": own + "(telemetry|status|config\\.ack|cmd\\.ack)$",
                            "read": own + "(config|cmd)$"})
    return {"users": users, "permissions": perms, "topic_permissions": topic_perms}


def gateway_definitions(name, password, vhost):
    return {"users": [user(name, password)],
            "permissions": [{"user": name, "vhost": vhost, "configure": "^iotmon\\.",
                             "write": "^iotmon\\.|^amq\\.topic$", "read": "^iotmon\\.|^amq\\.topic$"}]}


def topology_definitions(partitions, vhost):
    exchanges = [{"name": UPLINK_EXCHANGE, "vhost": vhost, "type": "x-consistent-hash", "durable": True,
                  "auto_delete": False, "internal": False, "arguments": {}}]
    queues, bindings = [], []
    for kind in UPLINK_KINDS:
        bindings.append({"source": "amq.topic", "vhost": vhost, "destination": UPLINK_EXCHANGE,
                         "destination_type": "exchange", "routing_key": f"iotmon.v1.*.*.{kind}", "arguments": {}})
    for p in range(partitions):
        queues.append({"name": UPLINK_QUEUE.format(p), "vhost": vhost, "durable": True, "auto_delete": False,
                       "arguments": {"x-queue-type": "quorum", "x-single-active-consumer": True}})
        bindings.append({"source": UPLINK_EXCHANGE, "vhost": vhost, "destination": UPLINK_QUEUE.format(p),
                         "destination_type": "queue", "routing_key": "1", "arguments": {}})
    return {"exchanges": exchanges, "queues": queues, "bindings": bindings}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--node", help="rabbitmqctl -n NODE")
    parser.add_argument("--vhost", default="/", help="the virtual host (default /; it must exist)")
    parser.add_argument("--print", action="store_true", help="print the definitions instead of importing them")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("devices")
    d.add_argument("file", help="site,device,secret per line; - for stdin")
    g = sub.add_parser("gateway")
    g.add_argument("user")
    g.add_argument("password")
    t = sub.add_parser("topology")
    t.add_argument("--partitions", type=int, default=8)
    args = parser.parse_args()

    if args.command == "devices":
        lines = sys.stdin.readlines() if args.file == "-" else open(args.file, encoding="utf-8").readlines()
        definitions = device_definitions(lines, args.vhost)
    elif args.command == "gateway":
        definitions = gateway_definitions(args.user, args.password, args.vhost)
    else:
        if not 1 <= args.partitions <= 1024:
            raise SystemExit("--partitions must be 1-1024")
        definitions = topology_definitions(args.partitions, args.vhost)

    if args.print:
        json.dump(definitions, sys.stdout, indent=1)
        print()
        return
    ctl = os.environ.get("RABBITMQCTL", "rabbitmqctl")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(definitions, f)
        path = f.name
    try:
        command = [ctl] + (["-n", args.node] if args.node else []) + ["import_definitions", path]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"rabbitmqctl import_definitions failed ({result.returncode})")
    finally:
        os.unlink(path)
    counts = {k: len(v) for k, v in definitions.items()}
    print(f"rabbitmq-provision: imported {counts}")


if __name__ == "__main__":
    main()
