"""python3-autobahn peers for the advanced pub/sub interop test (run with /usr/bin/python3).

    pubsub_advanced_peer.py retainer URL SERIALIZER TAG
    pubsub_advanced_peer.py subscriber URL SERIALIZER TAG
    pubsub_advanced_peer.py publisher URL SERIALIZER TAG SESSION_A SESSION_B

retainer: publishes a retained event on com.example.TAG.retained.one (acknowledged), leaves.
subscriber: subscribes com.example.TAG (prefix, get_retained) and com.example.TAG..w (wildcard),
    prints {"ready": session}; on com.example.TAG.stop prints the events it got and leaves.
publisher: publishes with disclose_me and with eligible/exclude lists naming SESSION_A and
    SESSION_B, then com.example.TAG.stop; prints {"published": session} and leaves.

Lines for the test start with "@@ " and one JSON object. Exits 1 after 15 s without finishing.
"""
import sys

from _common import Peer, emit, run

from autobahn.wamp.types import PublishOptions, SubscribeOptions
from autobahn.wamp.message import Publish

# autobahn 22.7 has no way to send PUBLISH.Options.disclose_me (spec "Publisher
# Identification"): add it to publications on *.disclosed topics.
_marshal_options = Publish.marshal_options


def _marshal_with_disclose(self):
    options = _marshal_options(self)
    if self.topic.endswith(".disclosed"):
        options["disclose_me"] = True
    return options


Publish.marshal_options = _marshal_with_disclose

ROLE, URL, SERIALIZER, TAG = sys.argv[1:5]
EXTRA = sys.argv[5:]
BASE = "com.example." + TAG


class Retainer(Peer):
    async def onJoin(self, details):
        await self.publish(BASE + ".retained.one", "kept", options=PublishOptions(acknowledge=True, retain=True))
        emit({"retained": True})
        self.leave()


class Subscriber(Peer):
    async def onJoin(self, details):
        events = []

        def collector(kind):
            def on_event(*args, details=None, **kwargs):
                if details.topic == BASE + ".stop":
                    return
                events.append({
                    "sub": kind, "args": list(args), "topic": details.topic, "retained": bool(details.retained),
                    "publisher": details.publisher, "publisher_authrole": details.publisher_authrole,
                })
            return on_event

        def on_stop(*args):
            emit({"events": events})
            self.leave()

        await self.subscribe(collector("prefix"), BASE, options=SubscribeOptions(match="prefix", get_retained=True, details_arg="details"))
        await self.subscribe(collector("wildcard"), BASE + "..w", options=SubscribeOptions(match="wildcard", details_arg="details"))
        await self.subscribe(on_stop, BASE + ".stop")
        emit({"ready": details.session})


class Publisher(Peer):
    async def onJoin(self, details):
        a, b = int(EXTRA[0]), int(EXTRA[1])

        def opts(**kw):
            return PublishOptions(acknowledge=True, **kw)

        await self.publish(BASE + ".disclosed", "who", options=opts())
        await self.publish(BASE + ".only.w", "only-a", options=opts(eligible=[a]))
        await self.publish(BASE + ".not.w", "not-a", options=opts(exclude=[a]))
        await self.publish(BASE + ".none", "nobody", options=opts(exclude_authrole=["anonymous"]))
        await self.publish(BASE + ".both", "both", options=opts(eligible=[a, b], eligible_authrole=["anonymous"]))
        await self.publish(BASE + ".stop", options=opts())
        emit({"published": details.session})
        self.leave()


def main():
    run(URL, SERIALIZER, {"retainer": Retainer, "subscriber": Subscriber, "publisher": Publisher}[ROLE])


if __name__ == "__main__":
    main()
