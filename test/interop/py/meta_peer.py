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
import sys

from _common import Peer, emit, run

MODE, URL, SERIALIZER = sys.argv[1:4]
TOPIC = sys.argv[4] if len(sys.argv) > 4 else None


class MetaPeer(Peer):
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
        super().onLeave(details)


def main():
    run(URL, SERIALIZER, MetaPeer)


if __name__ == "__main__":
    main()
