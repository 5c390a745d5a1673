import type { AttributeKind, AttributeList, AttributeScalar } from '../../core/attribute-value.js';
import type { EventRecord } from '../../core/event-record.js';
import { attributeColumnName, resolveAttributeColumn } from '../attribute-columns.js';
import type { DuckDbCatalog } from './duckdb-catalog.js';
import { ColumnIdBitmap } from '../column-id-bitmap.js';

/** One attribute layer with each key resolved to a catalog column id. */
export interface ResolvedLayer {
  readonly columnIds: Int32Array;
  /** The values to store: the layer's own array, or a copy when some value was converted. */
  readonly values: readonly AttributeScalar[];
}

const KIND_INDEX: Record<AttributeKind, number> = { string: 0, integer: 1, float: 2, boolean: 3 };

/**
 * Which column a (key, kind) goes to, remembered for the store's lifetime: the common case, a
 * value of the column's own kind, then costs one map lookup instead of the naming and typing
 * rules. Only those direct routes are remembered; a value of another kind may be converted or
 * go to a sibling column depending on the value itself (see resolveAttributeColumn), so it is
 * resolved each time.
 */
export class ColumnRoutes {
  private readonly direct = new Map<string, Int32Array>();

  constructor(private readonly catalog: DuckDbCatalog) {}

  /** The column a value of the key's own kind goes to when already known, else -1 (creates nothing). */
  peek(key: string, kind: AttributeKind): number {
    return this.direct.get(key)?.[KIND_INDEX[kind]] ?? -1;
  }

  /** Whether a value of the key's kind goes, unconverted, to column `id` by a remembered route. */
  isDirect(key: string, kind: AttributeKind, id: number): boolean {
    return this.peek(key, kind) === id;
  }

  /** The column an attribute goes to when the catalog has it, else -1 (creates nothing). */
  find(key: string, kind: AttributeKind, value: AttributeScalar): number {
    const direct = this.peek(key, kind);
    if (direct >= 0) return direct;
    const target = resolveAttributeColumn(key, kind, value, (name) => this.catalog.typeOf(name));
    return this.catalog.columnByKey(target.keyName)?.id ?? -1;
  }

  /** The column id for one attribute; `converted` receives the value to store when it differs. */
  route(key: string, kind: AttributeKind, value: AttributeScalar, nowNs: bigint, converted: { value: AttributeScalar | undefined }): number {
    let routes = this.direct.get(key);
    const index = KIND_INDEX[kind];
    if (routes !== undefined) {
      const id = routes[index]!;
      if (id >= 0) return id;
    }
    const target = resolveAttributeColumn(key, kind, value, (name) => this.catalog.typeOf(name));
    const column = this.catalog.ensureColumn(target.keyName, target.type, nowNs);
    const directName = attributeColumnName(key);
    if (target.keyName === directName && target.type === kind) {
      if (routes === undefined) {
        routes = new Int32Array(4).fill(-1);
        this.direct.set(key, routes);
      }
      routes[index] = column.id;
    } else if (!Object.is(target.value, value)) {
      converted.value = target.value;
    }
    return column.id;
  }
}

/**
 * A span layer's key sequence and how it resolved, when every key took a remembered direct route:
 * a later layer with the very same keys and kinds (the same string instances, as the decoders'
 * string caches hand them out) resolves to the same column ids, with its own values unconverted.
 */
interface LayerShape {
  readonly keys: readonly string[];
  readonly kinds: readonly AttributeKind[];
  readonly columnIds: Int32Array;
  /** The DatasetColumns these ids were last added to: adding them again changes nothing. */
  addedTo: DatasetColumns | null;
}

/** Shapes remembered per layer position: spans of a request come in a few shapes (server, client, db...). */
const SHAPES_PER_POSITION = 8;

/** Column ids one dataset used in a batch, collected without a Set operation per value. */
class DatasetColumns {
  private readonly seen = new ColumnIdBitmap();
  readonly ids: number[] = [];

  has(id: number): boolean {
    return this.seen.has(id);
  }

  add(ids: Int32Array): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (this.seen.add(id)) this.ids.push(id);
    }
  }
}

/**
 * Resolves the attribute layers of one batch of events, in order, for appendEventRows. A layer
 * object that repeats from one event to the next (the resource and scope layers, shared by the
 * spans of a request) is resolved once per run.
 */
export class LayerResolver {
  /** Per event, per layer in order: the resolution appendEventRows consumes. */
  readonly layers: ResolvedLayer[] = [];
  private readonly byDataset = new Map<string, DatasetColumns>();
  private readonly all = new DatasetColumns();

  // The run of repeated layers and the current dataset carry over from one call to the next.
  private readonly previous: Array<AttributeList | undefined> = [];
  private readonly previousResolved: ResolvedLayer[] = [];
  private dataset: string | null = null;
  private datasetColumns = this.all;
  /** Events resolved so far in this batch. */
  private events = 0;
  /** Per layer position, recent shapes (most recent first); see LayerShape. */
  private readonly shapes: LayerShape[][] = [];

  constructor(
    private readonly routes: ColumnRoutes,
    private readonly nowNs: bigint,
  ) {}

  /**
   * Resolves events[start, end); call for consecutive ranges of the batch, in order. Stops before
   * the first event that would bring the batch's distinct columns beyond maxColumns, or its cells
   * beyond `widening.maxCells` (its events so far and this one, times `widening.fixedColumns` plus
   * its distinct columns, this one's new ones included): the first event of a batch is always taken. Returns where it
   * stopped: a commit's memory grows with its rows times its columns, so wide data is committed
   * in narrower pieces, and rows before the first wide ones go without their columns.
   */
  resolveRange(
    events: readonly EventRecord[],
    start: number,
    end: number,
    maxColumns = Number.POSITIVE_INFINITY,
    widening: { maxCells: number; fixedColumns: number } = { maxCells: Number.POSITIVE_INFINITY, fixedColumns: 0 },
  ): number {
    const previous = this.previous;
    const previousResolved = this.previousResolved;
    let dataset = this.dataset;
    let datasetColumns = this.datasetColumns;
    for (let e = start; e < end; e++) {
      const event = events[e]!;
      if (event.dataset !== dataset) {
        dataset = event.dataset;
        datasetColumns = this.byDataset.get(dataset) ?? new DatasetColumns();
        this.byDataset.set(dataset, datasetColumns);
        // A new dataset must see the shared layers' columns too.
        previous.length = 0;
      }
      const layers = event.attributes;
      if (
        this.events > 0 &&
        ((this.events + 1) * (widening.fixedColumns + this.all.ids.length) > widening.maxCells ||
          ((maxColumns !== Number.POSITIVE_INFINITY || widening.maxCells !== Number.POSITIVE_INFINITY) && this.wouldExceed(layers, maxColumns, widening.maxCells, widening.fixedColumns)))
      ) {
        this.dataset = dataset;
        this.datasetColumns = datasetColumns;
        return e;
      }
      for (let li = 0; li < layers.length; li++) {
        const layer = layers[li]!;
        let resolved: ResolvedLayer;
        if (previous[li] === layer) {
          resolved = previousResolved[li]!;
        } else {
          const shape = this.knownShape(li, layer);
          if (shape !== null) {
            // Same ids as before: already in `all`, and in this dataset's set once added there.
            resolved = { columnIds: shape.columnIds, values: layer.values };
            if (shape.addedTo !== datasetColumns) {
              datasetColumns.add(shape.columnIds);
              shape.addedTo = datasetColumns;
            }
          } else {
            resolved = this.resolve(layer);
            datasetColumns.add(resolved.columnIds);
            this.all.add(resolved.columnIds);
            this.rememberShape(li, layer, resolved, datasetColumns);
          }
          previous[li] = layer;
          previousResolved[li] = resolved;
        }
        this.layers.push(resolved);
      }
      this.events += 1;
    }
    this.dataset = dataset;
    this.datasetColumns = datasetColumns;
    return end;
  }

  /**
   * Whether an event's layers would bring the batch beyond maxColumns distinct columns, or its
   * events times (fixedColumns + distinct columns) beyond maxCells by adding columns.
   */
  private wouldExceed(layers: readonly AttributeList[], maxColumns: number, maxCells: number, fixedColumns: number): boolean {
    let fresh: Set<number | string> | null = null;
    for (let li = 0; li < layers.length; li++) {
      const layer = layers[li]!;
      // A known shape's columns are all in the batch already.
      if (this.previous[li] === layer || this.knownShape(li, layer) !== null) continue;
      const { keys, kinds, values } = layer;
      for (let i = 0; i < keys.length; i++) {
        const id = this.routes.find(keys[i]!, kinds[i]!, values[i]!);
        // A column not in the catalog yet (not admitted through the store) is new: count it once per key.
        if (id < 0) (fresh ??= new Set()).add(`${keys[i]!}\u0000${kinds[i]!}`);
        else if (!this.all.has(id)) (fresh ??= new Set()).add(id);
      }
    }
    if (fresh === null) return false;
    const columns = this.all.ids.length + fresh.size;
    return columns > maxColumns || (this.events + 1) * (fixedColumns + columns) > maxCells;
  }

  /** A remembered shape with exactly this layer's keys and kinds, or null. */
  private knownShape(position: number, layer: AttributeList): LayerShape | null {
    const candidates = this.shapes[position];
    if (candidates === undefined) return null;
    const { keys, kinds } = layer;
    const count = keys.length;
    for (let c = 0; c < candidates.length; c++) {
      const shape = candidates[c]!;
      if (shape.keys.length !== count) continue;
      let i = 0;
      while (i < count && shape.keys[i] === keys[i] && shape.kinds[i] === kinds[i]) i++;
      if (i === count) return shape;
    }
    return null;
  }

  /** Remembers how a layer resolved, when every key took a direct route (no value converted). */
  private rememberShape(position: number, layer: AttributeList, resolved: ResolvedLayer, addedTo: DatasetColumns): void {
    if (resolved.values !== layer.values) return;
    const { keys, kinds } = layer;
    for (let i = 0; i < keys.length; i++) if (!this.routes.isDirect(keys[i]!, kinds[i]!, resolved.columnIds[i]!)) return;
    let candidates = this.shapes[position];
    if (candidates === undefined) this.shapes[position] = candidates = [];
    if (candidates.length >= SHAPES_PER_POSITION) candidates.pop();
    candidates.unshift({ keys, kinds, columnIds: resolved.columnIds, addedTo });
  }

  private resolve(layer: AttributeList): ResolvedLayer {
    const count = layer.keys.length;
    const columnIds = new Int32Array(count);
    let values: AttributeScalar[] | null = null;
    const converted: { value: AttributeScalar | undefined } = { value: undefined };
    for (let i = 0; i < count; i++) {
      columnIds[i] = this.routes.route(layer.keys[i]!, layer.kinds[i]!, layer.values[i]!, this.nowNs, converted);
      if (converted.value !== undefined) {
        values ??= layer.values.slice();
        values[i] = converted.value;
        converted.value = undefined;
      }
    }
    return { columnIds, values: values ?? layer.values };
  }

  /** Every column id used by the batch. */
  columnIds(): readonly number[] {
    return this.all.ids;
  }

  /** Column ids used per dataset. */
  columnsByDataset(): Map<string, readonly number[]> {
    const result = new Map<string, readonly number[]>();
    for (const [dataset, columns] of this.byDataset) result.set(dataset, columns.ids);
    return result;
  }
}
