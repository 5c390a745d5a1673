import type { LimitDefinition } from './limit-definition.js';

/** Bounds on HTTP requests and the API (request lines, headers, JSON bodies). */
export const HTTP_LIMITS = {
  spareBodyIdleMs: {
    value: 30_000,
    unit: 'ms',
    reason:
      "How long the shared memory of a finished large request body (1 MiB or more) is kept for the next one. Reused, a finished 64 MB body's memory is not held beside the next body's until V8's next full collection (10-30 s later in the hostile mix of issue 9: peak RSS ≤ 1 GiB); let go after this long idle, so a quiet server does not keep it.",
  },
  receivingBodyBytes: {
    value: 128 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "Bytes of request bodies being received, all requests and routes together, counted as they arrive (a body once whole is the receiver's: ingest bounds it with ingest.queuedBodyBytes). Bodies under 1 MiB were not counted anywhere while they arrived: 800 connections each sending 1.04 MB of a body and holding back its end took RSS from 128 to 936 MiB and held /healthz 2.7 s (issue 9: peak RSS ≤ 1 GiB). The request whose bytes would pass it is answered 503 + Retry-After and the rest of its body is read and dropped. Twice the largest ingest body (64 MiB), so one of those and ordinary traffic fit.",
  },
  errorMessageChars: {
    value: 1024,
    unit: 'characters',
    reason: 'Longest error message in an API answer: a message that echoes what the client sent (a 1 MB filter value) is cut there, ending with how much was cut, so a bad request cannot make a large answer.',
  },
  maxHeaderBytes: {
    value: 16 * 1024,
    unit: 'bytes',
    reason: 'Request line plus headers of one HTTP request (Node.js default); beyond it the request is answered 431 with a JSON body and the connection closed.',
  },
  headersTimeoutMs: {
    value: 10_000,
    unit: 'ms',
    reason: 'Time a client has to send the request line and headers; slower clients (slowloris) get 408 and the connection is closed.',
  },
  requestTimeoutMs: {
    value: 60_000,
    unit: 'ms',
    reason: 'Time a client has to send a whole request, body included; beyond it the request gets 408 and the connection is closed.',
  },
  keepAliveTimeoutMs: {
    value: 5_000,
    unit: 'ms',
    reason: 'Idle time after which a kept-alive HTTP connection is closed, so idle sockets do not pile up.',
  },
  grpcReceivingBytes: {
    value: 128 * 1024 * 1024,
    unit: 'bytes',
    reason:
      "Room for OTLP/gRPC messages being received at once, each counted at the largest a message may be (WAGGLE_MAX_BODY_BYTES: gRPC gives no length before the message is whole, and grpc-js receives it whole before Waggle sees it): 2 messages at once by default. 12 calls of 62 MB at once took RSS to 1 478 MiB, 1 274 still held 6 s later (issue 9: peak RSS ≤ 1 GiB). Other calls wait, their streams paused (HTTP/2 flow control keeps their data with the client), for up to http.grpcReadWaitMs, then UNAVAILABLE, which OTLP exporters retry.",
  },
  grpcReadWaitMs: {
    value: 10_000,
    unit: 'ms',
    reason: 'Longest an OTLP/gRPC call waits for room to receive its message (http.grpcReceivingBytes) before it is answered UNAVAILABLE (retried by OTLP exporters), so that waiting calls do not pile up behind slow senders.',
  },
  grpcReadTimeoutMs: {
    value: 60_000,
    unit: 'ms',
    reason: 'Time an OTLP/gRPC call has to send its whole message once it may (as http.requestTimeoutMs for HTTP): a sender slower than that is answered UNAVAILABLE and gives its room back, so that slow senders cannot hold http.grpcReceivingBytes for good.',
  },
  grpcKeepaliveTimeMs: {
    value: 60_000,
    unit: 'ms',
    reason: 'Interval of the HTTP/2 PING the OTLP/gRPC receiver sends to each connection, to find peers that vanished without closing (half-open connections).',
  },
  grpcKeepaliveTimeoutMs: {
    value: 20_000,
    unit: 'ms',
    reason: 'Time a gRPC peer has to answer a keepalive PING before its connection is closed.',
  },
  grpcMaxConnectionIdleMs: {
    value: 300_000,
    unit: 'ms',
    reason: 'A gRPC connection with no call in flight for this long is closed (GOAWAY); exporters reconnect on their next export.',
  },
} as const satisfies Record<string, LimitDefinition>;
