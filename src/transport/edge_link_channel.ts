import { Errors, ProtocolViolation } from "../wamp/errors.ts";
import { MessageType } from "../wamp/message_type.ts";
import type { Message } from "../wamp/messages.ts";
import type { Peer, PeerDetails } from "../wamp/peer.ts";
import type { EdgeLink } from "./edge_link.ts";
import { encodeLinkFrame, LINK_HEADER_LENGTH, LinkFrameType } from "./edge_link_frames.ts";
import { errorText } from "./framed_peer.ts";

/** One channel: a WAMP session's Peer over the link. */
export class ChannelPeer implements Peer {
  onMessage: (msg: Message) => void = () => {};
  onClose: () => void = () => {};
  closed = false;
  /** Why the channel ended (its CLOSE reason, or the link's). */
  closeReason = "";
  private closeNotified = false;
  readonly details: PeerDetails;

  constructor(private readonly link: EdgeLink, readonly channelId: number) {
    this.details = link.details;
  }

  get buffered(): number {
    return this.closeNotified ? 0 : this.link.bufferedBytes;
  }

  get overLimit(): boolean {
    return !this.closeNotified && this.link.overLimit;
  }

  send(msg: Message): boolean {
    if (this.closed) return false;
    let payload: Uint8Array;
    try {
      payload = this.link.encode(msg);
    } catch (err) {
      this.link.log.error("cannot encode message", { error: errorText(err), type: msg.type, channel: this.channelId });
      return false;
    }
    const limit = this.link.outgoingLimit;
    if (limit !== undefined && payload.byteLength + LINK_HEADER_LENGTH > limit) {
      return this.tooLarge(msg, payload.byteLength + LINK_HEADER_LENGTH, limit);
    }
    this.link.sendFrame(encodeLinkFrame(LinkFrameType.DATA, this.channelId, payload));
    return true;
  }

  close(_code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason || "closed";
    this.link.channelClosed(this.channelId, this.closeReason);
    // As a socket reports its close later, not inside close(): the owner may still be unwinding.
    queueMicrotask(() => this.transportClosed(this.closeReason));
  }

  /** One DATA payload arrived. */
  receive(payload: Uint8Array): void {
    if (this.closed) return;
    let msg: Message;
    try {
      msg = this.link.decode(payload);
    } catch (err) {
      const text = err instanceof ProtocolViolation ? err.message : `cannot decode message: ${errorText(err)}`;
      this.link.log.warn("protocol violation on edge channel", { channel: this.channelId, error: text });
      // A bad WAMP message ends that session only, as on its own connection.
      this.send({ type: MessageType.ABORT, details: { message: text }, reason: Errors.PROTOCOL_VIOLATION });
      this.close(1002, "protocol violation");
      return;
    }
    try {
      this.onMessage(msg);
    } catch (err) {
      this.link.log.error("message handler threw", { error: errorText(err), type: msg.type });
    }
  }

  /** The channel is over (CLOSE received, or the link went away). Fires onClose once. */
  transportClosed(reason: string): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.closed = true;
    this.closeReason ||= reason;
    try {
      this.onClose();
    } catch (err) {
      this.link.log.error("close handler threw", { error: errorText(err) });
    }
  }

  private tooLarge(msg: Message, size: number, limit: number): boolean {
    const text = `message of ${size} bytes exceeds the ${limit} bytes the other side of the edge link accepts`;
    this.link.log.warn("outgoing message too large for the edge link; not sent", { type: msg.type, size, limit });
    // (Not for our own replacement ERROR: a limit too small even for it must not loop.)
    if (msg.type === MessageType.RESULT || (msg.type === MessageType.ERROR && msg.error !== Errors.MESSAGE_TOO_LARGE)) {
      this.send({
        type: MessageType.ERROR,
        requestType: msg.type === MessageType.RESULT ? MessageType.CALL : msg.requestType,
        request: msg.request,
        details: {},
        error: Errors.MESSAGE_TOO_LARGE,
        args: [text],
      });
    }
    return false;
  }
}
