/**
 * Polls `probe` until it answers something other than null, every `intervalMs`; throws
 * `timed out waiting for <what>` after `timeoutMs`.
 */
export async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
