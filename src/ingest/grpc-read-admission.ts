import * as grpc from '@grpc/grpc-js';
import { HTTP_LIMITS } from '../core/limits/http-limits.js';
import { QueryAdmission } from '../query/query-admission.js';

/**
 * How many OTLP/gRPC messages may be received at once: http.grpcReceivingBytes over the largest
 * a message may be, at least one. gRPC tells no message length before the message is whole, and
 * grpc-js receives it whole before any handler runs, so each read is counted at the largest.
 */
export function grpcReadSlots(maxMessageBytes: number, receivingBytes: number = HTTP_LIMITS.grpcReceivingBytes.value): number {
  return Math.max(1, Math.floor(receivingBytes / Math.max(1, maxMessageBytes)));
}

/** What the admission tells a call that could not read: answered UNAVAILABLE with this. */
export class GrpcReadRefused extends Error {}

/**
 * Slots for OTLP/gRPC message reads, handed out in arrival order: the store's read admission
 * (QueryAdmission) with a slot held from the start of a read to its release. A call waits at most
 * `waitMs` for one (then GrpcReadRefused); waiting calls are bounded by that time, not by count
 * (a waiting call's stream is paused: its message stays with its sender).
 */
export class GrpcReadAdmission {
  private readonly admission: QueryAdmission;

  constructor(
    readonly slots: number,
    private readonly waitMs: number = HTTP_LIMITS.grpcReadWaitMs.value,
    /** How long a call has, once it has its slot, to send its whole message (http.grpcReadTimeoutMs). */
    readonly readTimeoutMs: number = HTTP_LIMITS.grpcReadTimeoutMs.value,
  ) {
    this.admission = new QueryAdmission({ concurrent: slots, queued: Number.POSITIVE_INFINITY });
  }

  /** Reads holding a slot now (tests and metrics). */
  get reading(): number {
    return this.admission.load.running;
  }

  /** Calls waiting for a slot now (tests and metrics). */
  get waiting(): number {
    return this.admission.load.queued;
  }

  /** A slot; resolves with its release (idempotent), or rejects with GrpcReadRefused after waitMs. */
  acquire(): Promise<() => void> {
    return new Promise((resolve, reject) => {
      this.admission
        .admit(this.waitMs, () => new Promise<void>((release) => resolve(release)))
        .catch(() => reject(new GrpcReadRefused(`Waggle is receiving ${this.slots} OTLP/gRPC messages of up to the body limit at once (http.grpcReceivingBytes); retry shortly`)));
    });
  }
}

/**
 * A server interceptor that starts reading a call's message only with a slot of `admission`, and
 * gives the slot back once the message is whole (or the call ended): while it waits, grpc-js keeps
 * the stream paused, so HTTP/2 flow control leaves the message with its sender. A message not whole
 * `admission.readTimeoutMs` after its slot is answered UNAVAILABLE.
 */
export function grpcReadAdmissionInterceptor(admission: GrpcReadAdmission): grpc.ServerInterceptor {
  return (_method, call) => new AdmittedReadCall(call, admission);
}

/** What a server intercepting call is started with (grpc-js does not export its name). */
type CallListener = Parameters<grpc.ServerInterceptingCall['start']>[0];

class AdmittedReadCall extends grpc.ServerInterceptingCall {
  /** Set once the call had its slot: later reads (the half close) need none. */
  private admitted = false;
  private ended = false;
  private release: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    next: grpc.ServerInterceptingCallInterface,
    private readonly admission: GrpcReadAdmission,
  ) {
    super(next, {
      sendStatus: (status, sendOn) => {
        this.ended = true;
        this.done();
        sendOn(status);
      },
    });
  }

  override start(inner: CallListener): void {
    super.start({
      onReceiveMetadata: (metadata) => inner.onReceiveMetadata(metadata),
      onReceiveMessage: (message) => {
        this.done();
        inner.onReceiveMessage(message);
      },
      onReceiveHalfClose: () => {
        this.done();
        inner.onReceiveHalfClose();
      },
      onCancel: () => {
        this.ended = true;
        this.done();
        inner.onCancel();
      },
    });
  }

  override startRead(): void {
    if (this.admitted) {
      super.startRead();
      return;
    }
    this.admitted = true;
    this.admission.acquire().then(
      (release) => {
        if (this.ended) {
          release();
          return;
        }
        this.release = release;
        this.timer = setTimeout(() => {
          this.sendStatus({ code: grpc.status.UNAVAILABLE, details: `the message was not received within ${this.admission.readTimeoutMs} ms (http.grpcReadTimeoutMs); retry` });
        }, this.admission.readTimeoutMs);
        super.startRead();
      },
      (error: unknown) => {
        if (!this.ended) this.sendStatus({ code: grpc.status.UNAVAILABLE, details: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  /** The message is whole, or the call ended: its slot goes to the next call. */
  private done(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.release?.();
    this.release = null;
  }
}
