"""TLS interop peer (python3-autobahn): joins realm1 over wss:// or rss:// trusting only the CA
file given, registers and calls an echo procedure, then waits for the file GO to appear and calls
again on the same session (the SIGHUP reload test swaps the router's certificate meanwhile).

Usage: tls_peer.py URL CAFILE TAG GOFILE
"""
import asyncio
import os
import ssl
import sys

from _common import ApplicationRunner, ApplicationSession, emit, serializers

URL, CAFILE, TAG, GOFILE = sys.argv[1:5]


class Peer(ApplicationSession):
    async def onJoin(self, details):
        proc = "com.tls." + TAG + ".echo"
        await self.register(lambda x: x, proc)
        first = await self.call(proc, "first")
        emit({"joined": details.session, "first": first})
        for _ in range(400):
            if os.path.exists(GOFILE):
                break
            await asyncio.sleep(0.05)
        second = await self.call(proc, "second")
        emit({"second": second, "session": self._session_id})
        self.leave()

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


ctx = ssl.create_default_context(cafile=CAFILE)
kwargs = {"ssl": ctx}
if URL.startswith("wss"):
    kwargs["serializers"] = serializers("json")
try:
    ApplicationRunner(URL, "realm1", **kwargs).run(Peer)
except Exception as e:  # noqa: BLE001
    emit({"error": repr(e)})
    sys.exit(1)
