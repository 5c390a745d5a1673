/** The Raw events tab: which columns a page shows and how its pages follow each other. */

export const RAW_EVENTS_PAGE_ROWS = 100;
/** What an export holds at most: the server's query.rawEventsRows. */
export const RAW_EVENTS_EXPORT_ROWS = 10_000;

/**
 * Columns with a value in at least one event of the page, in the server's order (`timestamp`
 * first): a dataset's wide events leave most columns empty on any one page.
 */
export function columnsWithValues(columns: readonly string[], events: ReadonlyArray<Readonly<Record<string, unknown>>>): string[] {
  return columns.filter((c) => events.some((e) => e[c] !== null && e[c] !== undefined));
}

/** `Events 101–200` (newest first), or `No events` for an empty page. */
export function pageLabel(offset: number, count: number): string {
  return count === 0 ? 'No events' : `Events ${(offset + 1).toLocaleString('en-US')}–${(offset + count).toLocaleString('en-US')}`;
}
