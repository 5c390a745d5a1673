import type { QueryParameter } from './compiled-query.js';
import type { SqlDialect } from './sql-dialect.js';

/** Collects bound parameters; add() returns the placeholder to write into the SQL. */
export class SqlParameters {
  private readonly list: QueryParameter[] = [];
  constructor(private readonly dialect: SqlDialect) {}

  add(parameter: QueryParameter): string {
    this.list.push(parameter);
    return this.dialect.placeholder(this.list.length, parameter.type);
  }

  values(): readonly QueryParameter[] {
    return this.list;
  }
}
