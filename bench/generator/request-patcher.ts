import type { EncodedRequest } from './encoded-request.js';
import { SeededRandom } from './seeded-random.js';
import { BENCH_WORLD } from './span-generator.js';

/**
 * How one pass over a pool of pre-encoded requests differs from the bodies as generated: ids are
 * XORed with salts (so every pass has fresh unique ids while parent links still match), times are
 * shifted, and uniformly drawn users are rotated within their tenant (so a long load reaches all
 * 50 000 users). Every request of one pass shares the variant, so traces split across two
 * requests stay whole.
 */
export interface PassVariant {
  readonly traceSalt: Uint8Array;
  readonly spanSalt: Uint8Array;
  readonly timeShiftNs: bigint;
  /** A multiple of the tenant count, so `tenant.id = user index % tenants` still holds. */
  readonly userShift: number;
}

export function identityVariant(): PassVariant {
  return { traceSalt: new Uint8Array(16), spanSalt: new Uint8Array(8), timeShiftNs: 0n, userShift: 0 };
}

/** Deterministic variant for pass `pass` of a run seeded with `seed`. */
export function variantForPass(seed: number, pass: number, timeShiftNs: bigint): PassVariant {
  const random = new SeededRandom((seed * 0x9e3779b1 + pass * 0x85ebca6b) >>> 0);
  const traceSalt = new Uint8Array(16);
  const spanSalt = new Uint8Array(8);
  random.fillNonZero(traceSalt);
  random.fillNonZero(spanSalt);
  const rotations = BENCH_WORLD.users / BENCH_WORLD.tenants;
  return { traceSalt, spanSalt, timeShiftNs, userShift: random.int(rotations) * BENCH_WORLD.tenants };
}

const HEX = '0123456789abcdef';
const USER_DIGITS = 5;

/** Rewrites one encoded request in place from the variant it carries to another. */
export class RequestPatcher {
  readonly request: EncodedRequest;
  private current: PassVariant = identityVariant();
  private readonly view: DataView;

  constructor(request: EncodedRequest) {
    this.request = request;
    this.view = new DataView(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  }

  apply(target: PassVariant): void {
    const traceDiff = xor(this.current.traceSalt, target.traceSalt);
    const spanDiff = xor(this.current.spanSalt, target.spanSalt);
    const timeDelta = target.timeShiftNs - this.current.timeShiftNs;
    const userDelta = target.userShift - this.current.userShift;
    const points = this.request.patchPoints;
    const patchId = this.request.encoding === 'protobuf' ? this.xorBytes.bind(this) : this.xorHex.bind(this);
    for (let i = 0; i < this.request.spanCount; i += 1) {
      patchId(points.traceId[i]!, traceDiff);
      patchId(points.spanId[i]!, spanDiff);
      const parent = points.parentSpanId[i]!;
      if (parent >= 0) patchId(parent, spanDiff);
    }
    if (timeDelta !== 0n) {
      const shift = this.request.encoding === 'protobuf' ? this.shiftFixed64.bind(this) : this.shiftDecimal.bind(this);
      for (let i = 0; i < this.request.spanCount; i += 1) {
        shift(points.startTime[i]!, timeDelta);
        shift(points.endTime[i]!, timeDelta);
      }
    }
    if (userDelta !== 0) {
      for (const offset of points.userDigits) this.rotateUser(offset, userDelta);
    }
    this.current = target;
  }

  /** The lowercase hex trace id of span `index` as currently in the body. */
  traceIdHex(index: number): string {
    const offset = this.request.patchPoints.traceId[index]!;
    const body = this.request.body;
    if (this.request.encoding === 'json') return Buffer.from(body.subarray(offset, offset + 32)).toString('latin1');
    return Buffer.from(body.subarray(offset, offset + 16)).toString('hex');
  }

  private xorBytes(offset: number, diff: Uint8Array): void {
    const body = this.request.body;
    for (let i = 0; i < diff.length; i += 1) body[offset + i]! ^= diff[i]!;
  }

  private xorHex(offset: number, diff: Uint8Array): void {
    const body = this.request.body;
    for (let i = 0; i < diff.length; i += 1) {
      const d = diff[i]!;
      const hi = offset + 2 * i;
      body[hi] = HEX.charCodeAt(hexValue(body[hi]!) ^ (d >> 4));
      body[hi + 1] = HEX.charCodeAt(hexValue(body[hi + 1]!) ^ (d & 15));
    }
  }

  private shiftFixed64(offset: number, delta: bigint): void {
    this.view.setBigUint64(offset, this.view.getBigUint64(offset, true) + delta, true);
  }

  private shiftDecimal(offset: number, delta: bigint): void {
    const body = this.request.body;
    const text = Buffer.from(body.subarray(offset, offset + 19)).toString('latin1');
    const next = (BigInt(text) + delta).toString();
    if (next.length !== 19) throw new Error(`shifted timestamp ${next} is not 19 digits`);
    for (let i = 0; i < 19; i += 1) body[offset + i] = next.charCodeAt(i);
  }

  private rotateUser(offset: number, delta: number): void {
    const body = this.request.body;
    let index = 0;
    for (let i = 0; i < USER_DIGITS; i += 1) index = index * 10 + (body[offset + i]! - 48);
    const users = BENCH_WORLD.users;
    let next = (index + delta) % users;
    if (next < 0) next += users;
    for (let i = USER_DIGITS - 1; i >= 0; i -= 1) {
      body[offset + i] = 48 + (next % 10);
      next = Math.floor(next / 10);
    }
  }
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i += 1) out[i] = a[i]! ^ b[i]!;
  return out;
}

function hexValue(charCode: number): number {
  // '0'-'9' → 0-9, 'a'-'f' → 10-15 (the encoders write lowercase only).
  return charCode <= 57 ? charCode - 48 : charCode - 87;
}
