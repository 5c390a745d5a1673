import type { DatasetSelector, SpanStore, TimeWindow } from '../../store/span-store.js';
import { dialectOf } from '../compile/store-dialects.js';
import { compileServiceMap } from './service-map-sql.js';
import { serviceMapFromRows, type ServiceMap } from './service-map-model.js';

/** A caller's span may start this long before the window and still be found (as relational queries look). */
const PARENT_MARGIN_NS = 3_600_000_000_000n;

/** Runs the service map against a store: one admitted read, like any query. */
export class ServiceMapRunner {
  constructor(private readonly store: SpanStore) {}

  async run(selector: DatasetSelector, window: TimeWindow, timeoutMs: number): Promise<ServiceMap> {
    const schema = await this.store.querySchema({ kind: 'all' });
    const compiled = compileServiceMap(schema, dialectOf(this.store.capabilities), window, {
      relation: (physical, range) => this.store.relation(selector, physical, range),
      parentRelation: (physical, range) => this.store.relation({ kind: 'all' }, physical, range),
      parentMarginNs: PARENT_MARGIN_NS,
    });
    const rows = await this.store.runSql(compiled.sql, compiled.parameters, { timeoutMs });
    return serviceMapFromRows(rows.rows);
  }
}
