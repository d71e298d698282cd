"""python3-autobahn testator for the testament interop test (run with /usr/bin/python3).

    pubsub_testament_peer.py URL SERIALIZER TOPIC

Adds two testaments through the meta API (spec "Session Testament"): first one of scope
"destroyed" (the default), then one of scope "detached"; prints {"ready": session} and then
ends the process without GOODBYE, so the router sees the transport lost.
"""
import asyncio
import json
import os
import sys

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketClientProtocol  # noqa: E402
from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession  # noqa: E402
from autobahn.wamp import serializer as wamp_serializer  # noqa: E402

# autobahn 22.7's asyncio RawSocket client lacks transport_details (see wamp_peer.py).
WampRawSocketClientProtocol.transport_details = None

URL, SERIALIZER, TOPIC = sys.argv[1:4]


def emit(obj):
    print("@@ " + json.dumps(obj), flush=True)


class Testator(ApplicationSession):
    async def onJoin(self, details):
        await self.call("wamp.session.add_testament", TOPIC, ["destroyed"], {"who": "py"})
        await self.call("wamp.session.add_testament", TOPIC, ["detached"], {"who": "py"}, scope="detached")
        emit({"ready": details.session})
        # No GOODBYE: the transport is simply lost.
        os._exit(0)


def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.call_later(15, lambda: (emit({"timeout": True}), os._exit(1)))
    serializers = {
        "json": [wamp_serializer.JsonSerializer()],
        "msgpack": [wamp_serializer.MsgPackSerializer()],
        "cbor": [wamp_serializer.CBORSerializer()],
    }[SERIALIZER]
    ApplicationRunner(URL, "realm1", serializers=serializers).run(Testator, log_level="warn")


if __name__ == "__main__":
    main()
