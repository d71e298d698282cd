"""python3-autobahn clients for the edge end-to-end tests (run with /usr/bin/python3).

    edge_peer.py call URL REALM PROCEDURE ARGS_JSON
    edge_peer.py publish URL REALM TOPIC ITEMS_JSON
    edge_peer.py subscribe URL REALM TOPIC COUNT
    edge_peer.py callee URL REALM PROCEDURE

call: calls PROCEDURE with the JSON list ARGS_JSON as positional arguments; prints
    {"result": {"args", "kwargs"}, "session"} or {"error": uri, "args": [...], "session"}, leaves.
publish: publishes each item of the JSON list ITEMS_JSON as one event (args [item], acknowledged,
    in order); prints {"published": n}, leaves.
subscribe: subscribes TOPIC, prints {"ready": session}; after COUNT events prints
    {"events": [{"args", "publisher", "forward_for"}]} and leaves.
callee: registers PROCEDURE and prints {"ready": session}; answers every call with
    {"by": "python", "args", "caller", "caller_authid", "forward_for"} until killed.

Lines for the test start with "@@ " and one JSON object. Exits 1 after 30 s without finishing.
URL is ws://host:port/path; the serializer is JSON.
"""
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop", "py"))

# _common selects asyncio for txaio before any other autobahn import.
from _common import Peer, emit, serializers  # noqa: E402

from autobahn.asyncio.wamp import ApplicationRunner  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import PublishOptions, RegisterOptions, SubscribeOptions  # noqa: E402

ROLE, URL, REALM, URI = sys.argv[1:5]
EXTRA = sys.argv[5] if len(sys.argv) > 5 else None


def forward_for(details):
    return getattr(details, "forward_for", None)


class Caller(Peer):
    async def onJoin(self, details):
        try:
            res = await self.call(URI, *json.loads(EXTRA or "[]"))
            if hasattr(res, "results"):
                emit({"result": {"args": list(res.results), "kwargs": res.kwresults}, "session": details.session})
            else:
                emit({"result": {"args": [] if res is None else [res], "kwargs": {}}, "session": details.session})
        except ApplicationError as e:
            emit({"error": e.error, "args": list(e.args), "session": details.session})
        self.leave()


class Publisher(Peer):
    async def onJoin(self, details):
        items = json.loads(EXTRA or "[]")
        for item in items:
            await self.publish(URI, item, options=PublishOptions(acknowledge=True))
        emit({"published": len(items)})
        self.leave()


class Subscriber(Peer):
    async def onJoin(self, details):
        count = int(EXTRA or "1")
        events = []

        def on_event(*args, details=None):
            events.append({"args": list(args), "publisher": details.publisher, "forward_for": forward_for(details)})
            if len(events) == count:
                emit({"events": events})
                self.leave()

        await self.subscribe(on_event, URI, options=SubscribeOptions(details_arg="details"))
        emit({"ready": details.session})


class Callee(Peer):
    async def onJoin(self, details):
        def answer(*args, details=None):
            return {
                "by": "python",
                "args": list(args),
                "caller": details.caller,
                "caller_authid": details.caller_authid,
                "forward_for": forward_for(details),
            }

        await self.register(answer, URI, options=RegisterOptions(details_arg="details"))
        emit({"ready": details.session})


def main():
    component = {"call": Caller, "publish": Publisher, "subscribe": Subscriber, "callee": Callee}[ROLE]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.call_later(30, lambda: (emit({"timeout": True}), os._exit(1)))
    ApplicationRunner(URL, REALM, serializers=serializers("json")).run(component, log_level="warn")


if __name__ == "__main__":
    main()
