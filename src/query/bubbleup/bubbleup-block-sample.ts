/**
 * BubbleUp's block sample: how much of each side the comparison reads, in blocks of stored rows.
 *
 * Reading a compared column costs about as much for one row of a block as for all of it (the
 * engine decodes the whole block), so a sample of single events spread everywhere (a hash of each
 * event) decodes every block of the range and costs nearly as much as reading all of it: that cost
 * grows with the store. A sample of whole blocks decodes only the chosen ones.
 *
 * Honesty: rows are stored in time order, so a block is a short stretch of time (at 1M spans a day,
 * ~3 minutes; at 10M, ~20 s) and holds whole traces. So the blocks of a side are drawn at random
 * (each block with the same chance, by a fixed hash of its position: the same blocks every time)
 * from the whole range, at least `minBlocks` of them when the side has that many, so that the
 * sample mixes many short stretches of the range; within a chosen block, events are kept by a
 * fixed hash of each event. Every event of a side has the same chance to be read, blockRate ×
 * keepRate, which is the `rate` the answer reports in sample_rates.
 */

/** One side of the comparison before sampling: exact events, and blocks holding at least one. */
export interface SideExtent {
  readonly events: number;
  readonly blocks: number;
}

/** How one side is sampled: every event has the chance `rate` = blockRate × keepRate. */
export interface SideSampling {
  /** The chance of each block holding the side's events to be read. */
  readonly blockRate: number;
  /** The chance of each of the side's events in a read block to be kept. */
  readonly keepRate: number;
  readonly rate: number;
}

export interface BlockSampleBounds {
  /** Events per side to read, about (the groupings' cost grows with it). */
  readonly perSide: number;
  /** Blocks per side to read at least, when the side has that many (so the sample mixes many stretches of time). */
  readonly minBlocks: number;
  /** Blocks per side to read at most (the scan's cost grows with it). */
  readonly maxBlocks: number;
}

/** Everything: a side that fits both the events and the blocks bound. */
const ALL: SideSampling = { blockRate: 1, keepRate: 1, rate: 1 };

/**
 * The sampling of one side: the fewest blocks that hold about `perSide` of its events, but at least
 * minBlocks and at most maxBlocks blocks (expected), then the share of their events that makes about
 * perSide. A side spread thinly over many blocks (a rare error) is read from maxBlocks blocks, all of
 * their events: fewer than perSide, at a lower rate, rather than a scan of the whole range.
 */
export function sideSampling(side: SideExtent, bounds: BlockSampleBounds): SideSampling {
  if (side.events <= 0 || side.blocks <= 0) return ALL;
  if (side.events <= bounds.perSide && side.blocks <= bounds.maxBlocks) return ALL;
  const enough = Math.min(1, bounds.perSide / side.events);
  const spread = Math.min(1, bounds.minBlocks / side.blocks);
  const blockRate = Math.min(Math.max(enough, spread), bounds.maxBlocks / side.blocks, 1);
  const keepRate = Math.min(1, bounds.perSide / (side.events * blockRate));
  return { blockRate, keepRate, rate: blockRate * keepRate };
}

/** Both sides' sampling. */
export interface BlockSampling {
  readonly selected: SideSampling;
  readonly baseline: SideSampling;
}

export function blockSampling(extent: { readonly selected: SideExtent; readonly baseline: SideExtent }, bounds: BlockSampleBounds): BlockSampling {
  return { selected: sideSampling(extent.selected, bounds), baseline: sideSampling(extent.baseline, bounds) };
}

/** One side's events in one stored segment, and the first and last row holding them. */
export interface SegmentSide {
  readonly events: number;
  readonly firstRow: number;
  readonly lastRow: number;
}

/**
 * The blocks a side spans, estimated from each segment's first and last row of it: the blocks
 * between them (exact for a side in one stretch of time, such as a heatmap box), or as many as
 * `events` spread evenly at random over them would hold at least one of (a rare value spread over
 * the range). Only the sample's size depends on it, not its honesty: each block's chance is the
 * block rate, whatever the estimate.
 */
export function sideExtent(segments: readonly SegmentSide[], rowsPerBlock: number): SideExtent {
  let events = 0;
  let blocks = 0;
  for (const s of segments) {
    if (s.events <= 0) continue;
    events += s.events;
    const span = Math.floor(s.lastRow / rowsPerBlock) - Math.floor(s.firstRow / rowsPerBlock) + 1;
    blocks += Math.min(s.events, span * (1 - (1 - 1 / span) ** s.events));
  }
  return { events, blocks: Math.round(blocks) };
}
