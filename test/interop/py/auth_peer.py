"""Joins realm1 with one authentication method through python3-autobahn and prints the outcome:
{"welcome": {authid, authrole, authmethod, authprovider}} or {"abort": reason}.

usage: auth_peer.py URL METHOD AUTHID SECRET
  wampcra    SECRET is the password; the key is derived from the CHALLENGE's salt when present
             (autobahn.wamp.auth.derive_key / compute_wcs, as AuthWampCra does);
  cryptosign SECRET is the hex Ed25519 seed (signed with PyNaCl, 96-byte form);
  scram      SECRET is the password; autobahn's own AuthScram (needs python3-argon2 and passlib)
             computes the ClientProof and checks the server signature in WELCOME.
"""
import binascii
import sys

from _common import Peer, emit, run

from autobahn.wamp import auth

URL, METHOD, AUTHID, SECRET = sys.argv[1:5]


class AuthPeer(Peer):
    scram = None

    def onConnect(self):
        authextra = {}
        if METHOD == "cryptosign":
            from nacl.signing import SigningKey
            self.key = SigningKey(binascii.unhexlify(SECRET))
            authextra = {"pubkey": self.key.verify_key.encode().hex()}
        elif METHOD == "scram":
            self.scram = auth.AuthScram(authid=AUTHID, password=SECRET)
            authextra = self.scram.authextra
        self.join("realm1", authmethods=[METHOD], authid=AUTHID, authextra=authextra)

    def onChallenge(self, challenge):
        if challenge.method == "wampcra":
            key = SECRET.encode("utf8")
            if "salt" in challenge.extra:
                key = auth.derive_key(key, challenge.extra["salt"], challenge.extra["iterations"], challenge.extra["keylen"])
            return auth.compute_wcs(key, challenge.extra["challenge"].encode("utf8")).decode("ascii")
        if challenge.method == "cryptosign":
            signed = self.key.sign(binascii.unhexlify(challenge.extra["challenge"]))
            return binascii.hexlify(signed).decode("ascii")
        if challenge.method == "scram":
            return self.scram.on_challenge(self, challenge).decode("ascii")
        raise Exception("unexpected challenge " + challenge.method)

    def onWelcome(self, msg):
        if self.scram is not None:
            return self.scram.on_welcome(self, msg.authextra)
        return None

    def onJoin(self, details):
        emit({"welcome": {"authid": details.authid, "authrole": details.authrole,
                          "authmethod": details.authmethod, "authprovider": details.authprovider}})
        self.leave()

    def onLeave(self, details):
        emit({"left": details.reason})
        super().onLeave(details)


if __name__ == "__main__":
    run(URL, "json", AuthPeer)
