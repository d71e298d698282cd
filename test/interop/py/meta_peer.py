"""python3-autobahn side of the meta API interop test (run with /usr/bin/python3).

    meta_peer.py watcher|caller|testator URL SERIALIZER [TOPIC]

watcher: subscribes wamp.session.on_join and wamp.registration.on_register, prints
    {"ready": session}, then {"on_join"|"on_register": args, "seq": n} per meta event; when the router
    kills the session it prints {"left": reason, "message": ...} and exits 0.
caller: calls wamp.session.count, list and get (of itself), prints the results, leaves.
testator: adds a testament on TOPIC (spec "Session Testament"), prints {"ready": session} and
    waits; the test ends it with SIGKILL, so the router only sees the transport lost.

Lines for the test start with "@@ " and one JSON object. A 15 s limit exits 1.
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

MODE, URL, SERIALIZER = sys.argv[1:4]
TOPIC = sys.argv[4] if len(sys.argv) > 4 else None


def emit(obj):
    print("@@ " + json.dumps(obj), flush=True)


class MetaPeer(ApplicationSession):
    async def onJoin(self, details):
        if MODE == "watcher":
            seq = [0]

            def on_event(name, args):
                seq[0] += 1
                emit({name: list(args), "seq": seq[0]})

            for name in ("on_join", "on_register"):
                topic = ("wamp.session." if name == "on_join" else "wamp.registration.") + name
                await self.subscribe(lambda *args, n=name: on_event(n, args), topic)
            emit({"ready": details.session})
        elif MODE == "caller":
            count = await self.call("wamp.session.count")
            listed = await self.call("wamp.session.list")
            got = await self.call("wamp.session.get", details.session)
            emit({"count": count, "list": listed, "get": got, "session": details.session})
            self.leave()
        elif MODE == "testator":
            await self.call("wamp.session.add_testament", TOPIC, ["gone"], {"who": details.session})
            emit({"ready": details.session})

    def onLeave(self, details):
        emit({"left": details.reason, "message": details.message})
        self.disconnect()

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.call_later(15, lambda: (emit({"timeout": True}), os._exit(1)))
    serializers = {
        "json": [wamp_serializer.JsonSerializer()],
        "msgpack": [wamp_serializer.MsgPackSerializer()],
        "cbor": [wamp_serializer.CBORSerializer()],
    }[SERIALIZER]
    ApplicationRunner(URL, "realm1", serializers=serializers).run(MetaPeer, log_level="warn")


if __name__ == "__main__":
    main()
