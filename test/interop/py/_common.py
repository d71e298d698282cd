"""What the python3-autobahn interop peers share (imported by the scripts next to it; python puts
the script's directory first on sys.path, so `from _common import ...` works however the script
is started).

Importing it selects asyncio for txaio (so the scripts import it before any autobahn module) and
applies the python3-autobahn 22.7 RawSocket workaround.
"""
import asyncio
import json
import os

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketClientProtocol  # noqa: E402
from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession  # noqa: E402
from autobahn.wamp import serializer as wamp_serializer  # noqa: E402

# The asyncio RawSocket client of autobahn 22.7 lacks the transport_details attribute that
# ApplicationSession reads on join; without this the RawSocket session never opens.
WampRawSocketClientProtocol.transport_details = None

_SERIALIZERS = {
    "json": wamp_serializer.JsonSerializer,
    "msgpack": wamp_serializer.MsgPackSerializer,
    "cbor": wamp_serializer.CBORSerializer,
}


def emit(obj):
    """Prints one line for the test: "@@ " and one JSON object."""
    print("@@ " + json.dumps(obj), flush=True)


def serializers(name):
    """The serializer list for ApplicationRunner from json, msgpack or cbor."""
    if name not in _SERIALIZERS:
        raise SystemExit("unknown serializer " + name)
    return [_SERIALIZERS[name]()]


class Peer(ApplicationSession):
    """Disconnects once it left the realm and stops the loop when disconnected, so run() returns."""

    def onLeave(self, details):
        self.disconnect()

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


class ReportingPeer(Peer):
    """A Peer that prints {"left": reason} when it leaves."""

    def onLeave(self, details):
        emit({"left": details.reason})
        super().onLeave(details)


def run(url, serializer, component, timeout_key="timeout"):
    """Joins realm1 at `url` with `component` until the loop stops; after 15 s prints
    {timeout_key: true} and exits 1."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.call_later(15, lambda: (emit({timeout_key: True}), os._exit(1)))
    ApplicationRunner(url, "realm1", serializers=serializers(serializer)).run(component, log_level="warn")
