"""python3-autobahn peers for the advanced RPC interop tests (run with /usr/bin/python3).

    rpc_peer.py callee URL SERIALIZER TAG INDEX
    rpc_peer.py caller URL SERIALIZER TAG

callee: registers com.example.TAG.rr (invoke roundrobin, answers INDEX) and
    com.example.TAG.busy (invoke first: callee 0 answers wamp.error.unavailable, the others
    INDEX); callee 0 also registers com.example.TAG.slow, which never finishes and prints
    {"interrupted": n} each time the router interrupts it. Prints {"ready": INDEX}; leaves on the
    com.example.TAG.stop event.
caller: calls rr six times, busy once (rerouted), slow with a 300 ms timeout, then slow again and
    cancels it; prints what came back, publishes stop and leaves.

Lines for the test start with "@@ " and one JSON object. Exits 1 after 15 s without finishing.
"""
import asyncio
import sys

from _common import ReportingPeer as Peer, emit, run

from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import CallOptions, PublishOptions, RegisterOptions

ROLE, URL, SERIALIZER, TAG = sys.argv[1:5]
INDEX = int(sys.argv[5]) if len(sys.argv) > 5 else -1
PREFIX = "com.example." + TAG + "."


class Callee(Peer):
    async def onJoin(self, details):
        interrupted = [0]

        def busy():
            if INDEX == 0:
                raise ApplicationError("wamp.error.unavailable", "callee 0 is busy")
            return INDEX

        async def slow():
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                # autobahn cancels the handler when the router sends INTERRUPT.
                interrupted[0] += 1
                emit({"interrupted": interrupted[0]})
                raise
            return "finished"

        await self.register(lambda: INDEX, PREFIX + "rr", options=RegisterOptions(invoke="roundrobin"))
        await self.register(busy, PREFIX + "busy", options=RegisterOptions(invoke="first"))
        if INDEX == 0:
            await self.register(slow, PREFIX + "slow")
        await self.subscribe(lambda: self.leave(), PREFIX + "stop")
        emit({"ready": INDEX})


class Caller(Peer):
    async def onJoin(self, details):
        out = {"rr": []}
        for _ in range(6):
            out["rr"].append(await self.call(PREFIX + "rr"))
        out["rerouted"] = await self.call(PREFIX + "busy")
        try:
            # python3-autobahn sends CallOptions.timeout as given; the spec's unit is ms.
            await self.call(PREFIX + "slow", options=CallOptions(timeout=300))
            out["timeout"] = None
        except ApplicationError as e:
            out["timeout"] = e.error
        pending = self.call(PREFIX + "slow")
        await asyncio.sleep(0.3)
        pending.cancel()
        try:
            await pending
            out["canceled"] = None
        except asyncio.CancelledError:
            out["canceled"] = "CancelledError"
        except ApplicationError as e:
            out["canceled"] = e.error
        # The session is still fine after the cancel.
        out["after_cancel"] = await self.call(PREFIX + "rr")
        await self.publish(PREFIX + "stop", options=PublishOptions(acknowledge=True))
        emit(out)
        self.leave()


def main():
    run(URL, SERIALIZER, {"callee": Callee, "caller": Caller}[ROLE], timeout_key="timeout_exit")


if __name__ == "__main__":
    main()
