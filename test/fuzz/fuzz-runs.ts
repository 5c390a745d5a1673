/**
 * How many cases each fuzz property tries. `npm test` keeps the defaults small enough for CI
 * (the whole fuzz suite well under a minute); `WAGGLE_FUZZ_RUNS=100000 node --test dist/test/fuzz/`
 * runs every property that many times.
 */
export function fuzzRuns(defaultRuns: number): number {
  const configured = Number(process.env['WAGGLE_FUZZ_RUNS'] ?? '');
  return Number.isSafeInteger(configured) && configured > 0 ? configured : defaultRuns;
}

/** fast-check settings for a fuzz property: the run count, and a seed printed on failure to replay it. */
export function fuzzParameters(defaultRuns: number): { numRuns: number } {
  return { numRuns: fuzzRuns(defaultRuns) };
}
