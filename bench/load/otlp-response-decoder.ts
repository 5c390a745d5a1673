/**
 * Reads ExportTraceServiceResponse.partial_success from a protobuf or JSON response body.
 * Returns null when the response reports full success (partial_success unset, or zero rejected).
 */
export function decodePartialSuccess(
  body: Uint8Array,
  encoding: 'protobuf' | 'json',
): { rejectedSpans: number; message: string } | null {
  return encoding === 'json' ? fromJson(body) : fromProtobuf(body);
}

function fromJson(body: Uint8Array): { rejectedSpans: number; message: string } | null {
  if (body.length === 0) return null;
  const parsed: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null) return null;
  const partial = (parsed as Record<string, unknown>)['partialSuccess'] ?? (parsed as Record<string, unknown>)['partial_success'];
  if (typeof partial !== 'object' || partial === null) return null;
  const fields = partial as Record<string, unknown>;
  const rejected = Number(fields['rejectedSpans'] ?? fields['rejected_spans'] ?? 0);
  const message = String(fields['errorMessage'] ?? fields['error_message'] ?? '');
  return rejected === 0 && message === '' ? null : { rejectedSpans: rejected, message };
}

function fromProtobuf(body: Uint8Array): { rejectedSpans: number; message: string } | null {
  const outer = new Reader(body);
  let partial: Uint8Array | null = null;
  while (!outer.done()) {
    const tag = outer.varint();
    if (tag === (1 << 3 | 2)) partial = outer.bytes();
    else outer.skip(tag & 7);
  }
  if (partial === null) return null;
  const inner = new Reader(partial);
  let rejected = 0;
  let message = '';
  while (!inner.done()) {
    const tag = inner.varint();
    if (tag === (1 << 3 | 0)) rejected = inner.varint();
    else if (tag === (2 << 3 | 2)) message = Buffer.from(inner.bytes()).toString('utf8');
    else inner.skip(tag & 7);
  }
  return rejected === 0 && message === '' ? null : { rejectedSpans: rejected, message };
}

class Reader {
  private position = 0;
  constructor(private readonly buffer: Uint8Array) {}

  done(): boolean {
    return this.position >= this.buffer.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i += 1) {
      const byte = this.buffer[this.position++];
      if (byte === undefined) throw new Error('truncated varint in response');
      value += (byte & 127) * scale;
      if (byte < 128) return value;
      scale *= 128;
    }
    throw new Error('overlong varint in response');
  }

  bytes(): Uint8Array {
    const length = this.varint();
    const end = this.position + length;
    if (end > this.buffer.length) throw new Error('truncated field in response');
    const out = this.buffer.subarray(this.position, end);
    this.position = end;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.position += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.position += 4;
    else throw new Error(`unexpected wire type ${wireType} in response`);
  }
}
