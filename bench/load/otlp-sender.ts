/**
 * Transport for one pre-encoded OTLP trace request. Expected outcomes are values; only faults
 * (a refused connection, a reset) reject the promise.
 */
export type SendOutcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'partial'; readonly rejectedSpans: number; readonly message: string }
  | { readonly kind: 'retryable'; readonly code: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export interface OtlpSender {
  send(body: Uint8Array): Promise<SendOutcome>;
  close(): void;
}

export type LoadTransport = 'http-protobuf' | 'http-json' | 'grpc';

/** Refuses anything but loopback: the load tool must never be pointed at another machine. */
export function assertLoopbackHost(host: string): void {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare !== '127.0.0.1' && bare !== 'localhost' && bare !== '::1') {
    throw new Error(`the load generator only sends to loopback, not ${host}`);
  }
}
