/** Calculated fields of a dataset (and environment-wide ones) as columns, for the query builder. */
import type { Column } from '../../api/api-types.js';
import { ALL_DATASETS } from '../../api/api-client.js';
import { listDerivedColumns } from '../../api/alerting-api.js';
import { useAsync } from '../../components/use-async.js';

export function useCalculatedColumns(dataset: string): Column[] {
  const fields = useAsync(async (signal) => {
    const own = await listDerivedColumns(dataset, signal).catch(() => []);
    const environment = dataset === ALL_DATASETS ? [] : await listDerivedColumns(ALL_DATASETS, signal).catch(() => []);
    return [...own, ...environment.filter((e) => !own.some((o) => o.alias === e.alias))];
  }, [dataset]);
  if (fields.status !== 'ready') return [];
  return fields.value.flatMap((f) => (f.type === undefined ? [] : [{ id: `calculated:${f.id}`, key_name: f.alias, type: f.type, description: f.expression }]));
}
