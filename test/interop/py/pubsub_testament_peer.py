"""python3-autobahn testator for the testament interop test (run with /usr/bin/python3).

    pubsub_testament_peer.py URL SERIALIZER TOPIC

Adds two testaments through the meta API (spec "Session Testament"): first one of scope
"destroyed" (the default), then one of scope "detached"; prints {"ready": session} and then
ends the process without GOODBYE, so the router sees the transport lost.
"""
import os
import sys

from _common import emit, run

from autobahn.asyncio.wamp import ApplicationSession

URL, SERIALIZER, TOPIC = sys.argv[1:4]


class Testator(ApplicationSession):
    async def onJoin(self, details):
        await self.call("wamp.session.add_testament", TOPIC, ["destroyed"], {"who": "py"})
        await self.call("wamp.session.add_testament", TOPIC, ["detached"], {"who": "py"}, scope="detached")
        emit({"ready": details.session})
        # No GOODBYE: the transport is simply lost.
        os._exit(0)


def main():
    run(URL, SERIALIZER, Testator)


if __name__ == "__main__":
    main()
