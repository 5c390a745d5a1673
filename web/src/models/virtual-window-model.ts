/** Which rows of a long fixed-height list to render for the current scroll position. */
export interface VirtualWindow {
  /** First row index to render (inclusive). */
  readonly first: number;
  /** Last row index to render (exclusive). */
  readonly last: number;
  /** Pixels above the first rendered row. */
  readonly offsetTop: number;
  readonly totalHeight: number;
}

export function virtualWindow(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 10): VirtualWindow {
  const totalHeight = rowCount * rowHeight;
  const first = Math.max(0, Math.min(rowCount, Math.floor(Math.max(scrollTop, 0) / rowHeight) - overscan));
  const last = Math.min(rowCount, Math.ceil((Math.max(scrollTop, 0) + viewportHeight) / rowHeight) + overscan);
  return { first, last: Math.max(first, last), offsetTop: first * rowHeight, totalHeight };
}

/** The scrollTop that brings a row into view, or null when it is already visible. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return null;
}
