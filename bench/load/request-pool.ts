import type { RequestEncoding } from '../generator/encoded-request.js';
import { encodeJsonRequest } from '../generator/otlp-json-encoder.js';
import { encodeProtobufRequest } from '../generator/otlp-protobuf-encoder.js';
import { RequestPatcher, variantForPass, type PassVariant } from '../generator/request-patcher.js';
import { SpanGenerator } from '../generator/span-generator.js';

/**
 * Where the sent spans land in time.
 * - `now`: around the moment of sending (each pass shifted to the clock), for ingest and freshness.
 * - `window`: `totalRequests` requests fill [windowStartNs, windowStartNs + windowNs) in time order,
 *   one slice per pass over the pool, for building a query data set.
 */
export type TimePlacement =
  | { readonly mode: 'now'; readonly spreadNs: bigint }
  | { readonly mode: 'window'; readonly windowStartNs: bigint; readonly windowNs: bigint; readonly totalRequests: number };

export interface RequestPoolOptions {
  readonly encoding: RequestEncoding;
  readonly poolRequests: number;
  readonly spansPerRequest: number;
  readonly seed: number;
  /** SpanGeneratorOptions.extraAttributes. */
  readonly extraAttributes?: number;
  readonly placement: TimePlacement;
  readonly nowNs: () => bigint;
}

interface Slot {
  readonly patcher: RequestPatcher;
  pass: number;
  busy: Promise<void> | null;
}

export interface LeasedRequest {
  readonly patcher: RequestPatcher;
  readonly pass: number;
  release(): void;
}

/**
 * A fixed set of pre-encoded requests handed out in turn; request i of the run is slot
 * i % poolRequests rewritten for pass floor(i / poolRequests), so ids never repeat and the
 * generation cost stays out of the measurement.
 */
export class RequestPool {
  private readonly slots: Slot[] = [];
  private readonly variants = new Map<number, PassVariant>();
  private readonly options: RequestPoolOptions;
  private readonly poolStartNs: bigint;
  private readonly sliceNs: bigint;
  /** Smallest start and largest end of any span in the pool as generated. */
  readonly minStartNs: bigint;
  readonly maxEndNs: bigint;

  constructor(options: RequestPoolOptions) {
    this.options = options;
    const placement = options.placement;
    if (placement.mode === 'now') {
      this.sliceNs = placement.spreadNs;
      this.poolStartNs = options.nowNs() - placement.spreadNs;
    } else {
      const passes = Math.max(1, Math.ceil(placement.totalRequests / options.poolRequests));
      this.sliceNs = placement.windowNs / BigInt(passes);
      this.poolStartNs = placement.windowStartNs;
    }
    const generator = new SpanGenerator({ seed: options.seed, windowStartNs: this.poolStartNs, windowNs: this.sliceNs, extraAttributes: options.extraAttributes ?? 0 });
    const encode = options.encoding === 'json' ? encodeJsonRequest : encodeProtobufRequest;
    let minStart: bigint | null = null;
    let maxEnd: bigint | null = null;
    for (let i = 0; i < options.poolRequests; i += 1) {
      const spans = generator.nextBatch(options.spansPerRequest);
      for (const span of spans) {
        if (minStart === null || span.startTimeNs < minStart) minStart = span.startTimeNs;
        if (maxEnd === null || span.endTimeNs > maxEnd) maxEnd = span.endTimeNs;
      }
      this.slots.push({ patcher: new RequestPatcher(encode(spans)), pass: -1, busy: null });
    }
    this.minStartNs = minStart ?? this.poolStartNs;
    this.maxEndNs = maxEnd ?? this.poolStartNs;
  }

  get size(): number {
    return this.slots.length;
  }

  /** The time shift of a pass, fixed when the pass is first used. */
  passShiftNs(pass: number): bigint {
    return this.variant(pass).timeShiftNs;
  }

  /** Waits until the slot for request `index` is free, rewrites it for its pass, and leases it. */
  async lease(index: number): Promise<LeasedRequest> {
    const slot = this.slots[index % this.slots.length]!;
    while (slot.busy !== null) await slot.busy;
    let release!: () => void;
    slot.busy = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pass = Math.floor(index / this.slots.length);
    if (slot.pass !== pass) {
      slot.patcher.apply(this.variant(pass));
      slot.pass = pass;
    }
    return {
      patcher: slot.patcher,
      pass,
      release: () => {
        slot.busy = null;
        release();
      },
    };
  }

  private variant(pass: number): PassVariant {
    let variant = this.variants.get(pass);
    if (variant === undefined) {
      const placement = this.options.placement;
      const shift = placement.mode === 'now'
        ? this.options.nowNs() - (this.poolStartNs + this.sliceNs)
        : BigInt(pass) * this.sliceNs;
      variant = variantForPass(this.options.seed, pass, shift);
      this.variants.set(pass, variant);
    }
    return variant;
  }
}
