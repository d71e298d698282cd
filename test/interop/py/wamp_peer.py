"""A Debian python3-autobahn client for the interop tests (run with /usr/bin/python3).

    wamp_peer.py responder|requester URL SERIALIZER TAG

URL is ws://host:port/path (WebSocket) or rs://host:port (RawSocket); SERIALIZER is json,
msgpack or cbor; TAG makes topic and procedure names unique per run.

responder: registers com.example.add2, com.example.TAG.echo and com.example.TAG.fail, subscribes
    com.example.TAG.news and com.example.TAG.stop, prints {"ready": ...}; on the stop event prints
    the events it got and leaves.
requester: calls, publishes and (un)subscribes, prints what came back, publishes stop, leaves.

Every line meant for the test starts with "@@ " followed by one JSON object; the test asserts on
those. The script leaves the realm itself and exits 0; it exits 1 after 15 s without finishing.
"""
import asyncio
import sys

# _common also applies python3-autobahn 22.7's RawSocket workaround.
from _common import ReportingPeer as Peer, emit, run

from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import CallResult, PublishOptions

ROLE, URL, SERIALIZER, TAG = sys.argv[1:5]
PREFIX = "com.example." + TAG + "."
RESULT = {"left": None}


class Responder(Peer):
    async def onJoin(self, details):
        events = []

        def echo(*args, **kwargs):
            return CallResult(*args, **kwargs)

        def fail(*args, **kwargs):
            raise ApplicationError("com.example.error.too_big", "limit exceeded", 42, limit=10)

        def on_news(*args, **kwargs):
            events.append({"args": list(args), "kwargs": kwargs})

        def on_stop(*args, **kwargs):
            emit({"events": events})
            self.leave()

        await self.register(lambda a, b: a + b, "com.example.add2")
        await self.register(echo, PREFIX + "echo")
        await self.register(fail, PREFIX + "fail")
        await self.subscribe(on_news, PREFIX + "news")
        await self.subscribe(on_stop, PREFIX + "stop")
        emit({"ready": True, "session": details.session})


class Requester(Peer):
    async def onJoin(self, details):
        out = {"session": details.session}
        out["add2"] = await self.call("com.example.add2", 2, 3)
        kwargs = {"name": "causeway — grüße ✓ 日本", "n": 42, "nested": {"list": [1, "two", None, True], "f": 1.5}}
        echoed = await self.call(PREFIX + "echo", "x", 1, **kwargs)
        out["echo"] = {"args": list(echoed.results), "kwargs": echoed.kwresults}
        out["fail"] = await self.error_of(PREFIX + "fail", 99)
        out["nobody_home"] = await self.error_of(PREFIX + "nobody_home")

        own = {"news": [], "gone": [], "kept": []}
        arrived = {"news": asyncio.Queue(), "gone": asyncio.Queue(), "kept": asyncio.Queue()}

        def collector(name):
            def on_event(*args, **kw):
                own[name].append({"args": list(args), "kwargs": kw})
                arrived[name].put_nowait(None)
            return on_event

        await self.subscribe(collector("news"), PREFIX + "news")
        ack = PublishOptions(acknowledge=True)
        incl = PublishOptions(acknowledge=True, exclude_me=False)
        pub = await self.publish(PREFIX + "news", "hello", 7, options=ack, **{"from": "py", "tags": ["x"]})
        out["publication_id"] = pub.id
        # Events to this session arrive in order: had "hello" come back, it would precede this one.
        await self.publish(PREFIX + "news", "second", options=incl)
        await asyncio.wait_for(arrived["news"].get(), 5)
        out["own_news"] = own["news"]

        gone = await self.subscribe(collector("gone"), PREFIX + "gone")
        await self.subscribe(collector("kept"), PREFIX + "kept")
        await self.publish(PREFIX + "gone", 1, options=incl)
        await asyncio.wait_for(arrived["gone"].get(), 5)
        await gone.unsubscribe()
        await self.publish(PREFIX + "gone", 2, options=incl)
        await self.publish(PREFIX + "kept", 3, options=incl)
        await asyncio.wait_for(arrived["kept"].get(), 5)
        out["gone"] = own["gone"]
        out["kept"] = own["kept"]

        await self.publish(PREFIX + "stop", options=ack)
        emit(out)
        self.leave()

    async def error_of(self, procedure, *args):
        try:
            await self.call(procedure, *args)
        except ApplicationError as e:
            return {"error": e.error, "args": list(e.args), "kwargs": e.kwargs}
        return None


def main():
    run(URL, SERIALIZER, {"responder": Responder, "requester": Requester}[ROLE])


if __name__ == "__main__":
    main()
