/** What a user types into a trace id box: 32 hex digits (case and spaces forgiven), not all zero. */

export type TraceIdInput = { readonly ok: true; readonly traceId: string } | { readonly ok: false; readonly message: string };

export function parseTraceIdInput(text: string): TraceIdInput {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return { ok: false, message: 'Type a trace id: 32 hexadecimal digits.' };
  if (!/^[0-9a-f]+$/.test(trimmed)) return { ok: false, message: 'A trace id holds only the digits 0-9 and letters a-f.' };
  if (trimmed.length !== 32) return { ok: false, message: `A trace id is 32 hexadecimal digits; this one has ${trimmed.length}.` };
  if (/^0+$/.test(trimmed)) return { ok: false, message: 'The all-zero trace id is not a valid trace id.' };
  return { ok: true, traceId: trimmed };
}
