/**
 * Where the JavaScript thread's time went, from a V8 .cpuprofile (node --cpu-prof): self time by
 * area of the code, and time charged to the innermost Waggle function on the stack (so a native
 * DuckDB append or a Buffer call counts toward the store or decoder function that made it).
 */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }>;
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  /** Microseconds since the previous sample, one per sample. */
  readonly timeDeltas: readonly number[];
}

export interface CpuProfileSummary {
  readonly totalMs: number;
  /** Self time by area (idle, gc, ingest, wal, store, duckdb native, node http, ...), largest first. */
  readonly byArea: ReadonlyArray<{ readonly area: string; readonly ms: number; readonly percent: number }>;
  /** Time whose innermost Waggle frame is this function, largest first. */
  readonly byWaggleFunction: ReadonlyArray<{ readonly name: string; readonly ms: number; readonly percent: number }>;
}

/** The area of one frame, from its script URL (compiled files live under dist/src/...). */
export function frameArea(functionName: string, url: string): string {
  if (url === '') {
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(garbage collector)') return 'gc';
    if (functionName === '(program)') return 'program (native, unattributed)';
    if (functionName === '(root)') return 'idle';
    return 'native builtins';
  }
  const waggle = /\/src\/([a-z]+)\/(?:(wal)\/)?/.exec(url);
  if (waggle !== null) return waggle[2] === 'wal' ? 'waggle wal' : `waggle ${waggle[1]}`;
  if (url.includes('@duckdb')) return 'duckdb bindings (js)';
  if (url.includes('@grpc') || url.includes('protobufjs')) return 'grpc';
  if (/^node:(_http|http|net|stream|internal\/(http|streams|stream_base|net))/.test(url) || url.startsWith('node:internal/http')) return 'node http/net/streams';
  if (url.startsWith('node:zlib') || url.startsWith('node:internal/zlib')) return 'node zlib';
  if (url.startsWith('node:fs') || url.startsWith('node:internal/fs')) return 'node fs';
  if (url.startsWith('node:')) return 'node other';
  return 'other js';
}

function shortUrl(url: string): string {
  const index = url.lastIndexOf('/src/');
  return index >= 0 ? url.slice(index + 1) : url;
}

export function summarizeCpuProfile(profile: CpuProfile, top = 25): CpuProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    // timeDeltas[i] is the gap before sample i; it belongs to sample i-1, but over thousands of samples the shift is noise.
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    totalUs += us;
    const area = frameArea(node.callFrame.functionName, node.callFrame.url);
    areas.set(area, (areas.get(area) ?? 0) + us);
    let owner: string | null = null;
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)?.callFrame;
      if (frame !== undefined && /\/src\//.test(frame.url)) {
        owner = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
        break;
      }
    }
    const key = owner ?? `(no Waggle frame) ${area}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const rank = (map: Map<string, number>): Array<[string, number, number]> =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).map(([key, us]) => [key, us / 1000, totalUs === 0 ? 0 : (100 * us) / totalUs]);
  return {
    totalMs: totalUs / 1000,
    byArea: rank(areas).map(([area, ms, percent]) => ({ area, ms, percent })),
    byWaggleFunction: rank(functions).slice(0, top).map(([name, ms, percent]) => ({ name, ms, percent })),
  };
}
