"""python3-autobahn peer for the RBAC interop test (run with /usr/bin/python3).

    rbac_peer.py URL SERIALIZER

Joins realm1 anonymously, registers com.example.rbac.open and com.example.rbac.closed, calls
both and prints {"open": result} and {"closed": {"error": uri, "args": [...], "kwargs": {...}}},
then leaves. Lines for the test start with "@@ " and one JSON object. Exits 1 after 15 s.
"""
import sys

from _common import ReportingPeer as Peer, emit, run

from autobahn.wamp.exception import ApplicationError

URL, SERIALIZER = sys.argv[1:3]


class Rbac(Peer):
    async def onJoin(self, details):
        await self.register(lambda: "opened", "com.example.rbac.open")
        await self.register(lambda: "never", "com.example.rbac.closed")
        emit({"open": await self.call("com.example.rbac.open")})
        try:
            await self.call("com.example.rbac.closed")
            emit({"closed": "allowed"})
        except ApplicationError as e:
            emit({"closed": {"error": e.error, "args": list(e.args), "kwargs": e.kwargs}})
        self.leave()


def main():
    run(URL, SERIALIZER, Rbac, timeout_key="timeout_exit")


if __name__ == "__main__":
    main()
