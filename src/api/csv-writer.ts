import { stringify } from 'csv-stringify/sync';

/**
 * Rows as CSV (RFC 4180) for spreadsheets: a header line, fields quoted when they hold a comma, a
 * quote or a line break, quotes doubled. Text that a spreadsheet would run as a formula (starting
 * with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, as OWASP advises, so an
 * attribute value sent by anyone cannot execute in the analyst's spreadsheet; numbers are written
 * as numbers (`-5` stays a number). Missing values are empty fields. csv-stringify does the
 * escaping (`escape_formulas`).
 */
export function rowsToCsv(columns: readonly string[], rows: ReadonlyArray<Readonly<Record<string, unknown>>>): string {
  const records = rows.map((row) => columns.map((column) => row[column] ?? null));
  return stringify(records, {
    header: true,
    columns: columns.map((column, i) => ({ key: String(i), header: column })),
    escape_formulas: true,
    record_delimiter: '\r\n',
    cast: { boolean: (value) => String(value) },
  });
}
