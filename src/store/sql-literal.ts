/**
 * The one audited escaping function. Values reach SQL as bound parameters everywhere we can; the
 * store's relation text (built before parameters are known) names datasets, which pass here.
 */
export function sqlStringLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('NUL character in SQL string literal');
  return `'${value.replaceAll("'", "''")}'`;
}
