import { createPrivateKey, X509Certificate } from "node:crypto";
import type { ListenerConfig } from "./config.ts";
import type { TlsCertificate } from "./runtime/runtime.ts";

/**
 * Reads a listener's `tls: {cert, key}` PEM files (at startup and on SIGHUP). Errors name the
 * listener, the file and what is wrong with it, so a bad path or a swapped cert/key is found fast.
 */
export async function loadListenerTls(
  l: Pick<ListenerConfig, "name" | "tls">,
  readTextFile: (path: string) => Promise<string>,
): Promise<TlsCertificate | undefined> {
  if (!l.tls) return undefined;
  const read = async (what: "cert" | "key", path: string, marker: RegExp, hint: string): Promise<string> => {
    let text: string;
    try {
      text = await readTextFile(path);
    } catch (err) {
      throw new Error(`Cannot read the TLS ${what} file ${path} of listener "${l.name}": ${(err as Error).message}`);
    }
    if (!marker.test(text)) {
      throw new Error(`The TLS ${what} file ${path} of listener "${l.name}" is not ${hint}`);
    }
    return text;
  };
  const cert = await read("cert", l.tls.cert, /-----BEGIN CERTIFICATE-----/, "a PEM certificate (no \"-----BEGIN CERTIFICATE-----\" line)");
  const key = await read("key", l.tls.key, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a PEM private key (no \"-----BEGIN … PRIVATE KEY-----\" line)");
  // Checked here, before a listener gets them: Deno 2.9.5's node:tls accepts a key that does
  // not belong to the certificate without a word, and every handshake would then fail.
  let matches: boolean;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (err) {
    throw new Error(`The TLS cert ${l.tls.cert} or key ${l.tls.key} of listener "${l.name}" cannot be parsed: ${(err as Error).message}`);
  }
  if (!matches) {
    throw new Error(`The TLS key file ${l.tls.key} of listener "${l.name}" does not belong to the certificate in ${l.tls.cert}`);
  }
  return { cert, key };
}
