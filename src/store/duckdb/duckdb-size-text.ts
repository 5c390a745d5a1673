/** DuckDB's units for sizes it reads and writes as text (case-insensitive): decimal KB, MB, ... and binary KiB, MiB, ... */
const SIZE_UNITS: ReadonlyMap<string, number> = new Map([
  ['', 1], ['b', 1], ['byte', 1], ['bytes', 1],
  ['kb', 1e3], ['mb', 1e6], ['gb', 1e9], ['tb', 1e12],
  ['kib', 1024], ['mib', 1024 ** 2], ['gib', 1024 ** 3], ['tib', 1024 ** 4],
]);

/**
 * The bytes a size written as DuckDB writes and takes them stands for (`1.2 MiB`, `0 bytes`,
 * `358MiB`, `512MB`), or null for text that is not one (a share such as `80%`, a typo).
 */
export function duckDbSizeBytes(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (match === null) return null;
  const unit = SIZE_UNITS.get((match[2] ?? '').toLowerCase());
  return unit === undefined ? null : Math.round(Number(match[1]) * unit);
}
