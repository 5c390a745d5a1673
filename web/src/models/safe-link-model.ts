/**
 * Span content is untrusted. A value becomes a link only when it is an absolute http(s) URL;
 * `javascript:`, `data:` and everything else stay text.
 */
export function safeHttpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 4096) return null;
  const trimmed = value.trim();
  if (!/^https?:\/\//i.test(trimmed)) return null;
  try {
    const url = new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
