import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AutocompleteCatalog } from '../../src/query/autocomplete/autocomplete-catalog.js';
import { completeTextQuery } from '../../src/query/autocomplete/text-query-completer.js';

const catalog: AutocompleteCatalog = {
  columns: () => [
    { name: 'duration_ms', type: 'float' },
    { name: 'service.name', type: 'string' },
    { name: 'http.status_code', type: 'integer' },
    { name: 'error', type: 'boolean' },
    { name: 'user.id', type: 'string' },
    { name: 'weird column', type: 'string' },
  ],
  topValues: (column) => (column === 'service.name' ? ['api', 'frontend', 'a"b'] : column === 'http.status_code' ? [200, 500] : []),
};

/** Labels of the completions at the end of the text (or at the | marker). */
function labels(textWithCursor: string): string[] {
  const cursor = textWithCursor.includes('|') ? textWithCursor.indexOf('|') : textWithCursor.length;
  return completeTextQuery(textWithCursor.replace('|', ''), cursor, catalog).map((c) => c.label);
}

describe('text query autocomplete', () => {
  it('offers the clauses on an empty query', () => {
    assert.deepEqual(labels(''), ['VISUALIZE', 'WHERE', 'GROUP BY', 'ORDER BY', 'HAVING', 'LIMIT', 'LAST', 'FROM', 'GRANULARITY']);
  });

  it('offers calculation ops after VISUALIZE, filtered by what is typed', () => {
    assert.deepEqual(labels('VISUALIZE '), ['COUNT', 'CONCURRENCY', 'SUM', 'AVG', 'COUNT_DISTINCT', 'HEATMAP', 'MAX', 'MIN', 'P001', 'P01', 'P05', 'P10', 'P20', 'P25', 'P50', 'P75', 'P80', 'P90', 'P95', 'P99', 'P999', 'RATE_AVG', 'RATE_SUM', 'RATE_MAX']);
    const [p9] = completeTextQuery('VISUALIZE p9', 12, catalog);
    assert.deepEqual(p9, { label: 'P90', kind: 'calculation', detail: 'numeric column', insertText: 'P90(', replaceFrom: 10, replaceTo: 12 });
  });

  it('offers numeric columns inside a percentile and every column inside COUNT_DISTINCT', () => {
    assert.deepEqual(labels('VISUALIZE P99('), ['duration_ms', 'http.status_code']);
    assert.deepEqual(labels('VISUALIZE COUNT_DISTINCT(user'), ['user.id']);
    assert.deepEqual(labels('VISUALIZE COUNT_DISTINCT(e'), ['error', 'http.status_code', 'service.name', 'user.id', 'weird column']);
  });

  it('offers columns with their types after WHERE, backticked when needed', () => {
    const completions = completeTextQuery('VISUALIZE COUNT WHERE wei', 25, catalog);
    assert.deepEqual(completions, [{ label: 'weird column', kind: 'column', detail: 'string', insertText: '`weird column`', replaceFrom: 22, replaceTo: 25 }]);
  });

  it('matches columns by substring after prefix matches', () => {
    assert.deepEqual(labels('WHERE name'), ['service.name']);
  });

  it('keeps a relational prefix while completing the column', () => {
    assert.deepEqual(labels('WHERE root.serv'), ['root.service.name']);
    assert.deepEqual(labels('GROUP BY parent.us'), ['parent.user.id']);
  });

  it('completes a bare relational prefix (root., parent., any.) right after its dot', () => {
    assert.deepEqual(labels('VISUALIZE COUNT GROUP BY root.'), ['root.duration_ms', 'root.error', 'root.http.status_code', 'root.service.name', 'root.user.id', 'root.weird column']);
    assert.deepEqual(labels('VISUALIZE COUNT WHERE parent.').slice(0, 2), ['parent.duration_ms', 'parent.error']);
    assert.deepEqual(labels('VISUALIZE COUNT WHERE any.').slice(0, 2), ['any.duration_ms', 'any.error']);
    const [first] = completeTextQuery('VISUALIZE COUNT WHERE none.', 27, catalog);
    assert.deepEqual(first, { label: 'none.duration_ms', kind: 'column', detail: 'float', insertText: 'none.duration_ms', replaceFrom: 22, replaceTo: 27 });
  });

  it('offers no relational prefix on a derived column (the query would refuse it)', () => {
    const withDerived: AutocompleteCatalog = { columns: () => [{ name: 'duration_ms', type: 'float' }, { name: 'network.latency_ms', type: 'float', derived: true }], topValues: () => [] };
    const at = (text: string): string[] => completeTextQuery(text, text.length, withDerived).map((c) => c.label);
    assert.deepEqual(at('VISUALIZE COUNT GROUP BY root.'), ['root.duration_ms']);
    assert.deepEqual(at('VISUALIZE COUNT GROUP BY '), ['duration_ms', 'network.latency_ms']);
  });

  it('completes a dotted column name after its dot', () => {
    assert.deepEqual(labels('VISUALIZE COUNT GROUP BY user.'), ['user.id']);
    assert.deepEqual(labels('VISUALIZE COUNT WHERE root.service.name = '), ['api', 'frontend', 'a"b']);
  });

  it('offers the operators valid for the column type', () => {
    assert.deepEqual(labels('WHERE error '), ['=', '!=', 'exists', 'does-not-exist', 'in', 'not-in']);
    assert.deepEqual(labels('WHERE http.status_code '), ['=', '!=', '>', '>=', '<', '<=', 'exists', 'does-not-exist', 'in', 'not-in']);
    assert.deepEqual(labels('WHERE service.name st'), ['starts-with']);
  });

  it('offers the frequent values of the column after an operator, quoted', () => {
    const completions = completeTextQuery('WHERE service.name = ', 21, catalog);
    assert.deepEqual(
      completions.map((c) => [c.label, c.insertText]),
      [['api', '"api"'], ['frontend', '"frontend"'], ['a"b', '"a\\"b"']],
    );
    assert.deepEqual(labels('WHERE service.name = "fr'), ['frontend']);
    assert.deepEqual(labels('WHERE root.service.name in ("api", '), ['api', 'frontend', 'a"b']);
    assert.deepEqual(labels('WHERE http.status_code >= '), ['200', '500']);
  });

  it('offers AND, OR and the remaining clauses after a filter', () => {
    assert.deepEqual(labels('VISUALIZE COUNT WHERE error exists '), ['AND', 'OR', 'GROUP BY', 'ORDER BY', 'HAVING', 'LIMIT', 'LAST', 'FROM', 'GRANULARITY']);
  });

  it('offers the chosen calculations and breakdowns after ORDER BY, and ASC/DESC after an item', () => {
    assert.deepEqual(labels('VISUALIZE COUNT, P99(duration_ms), HEATMAP(duration_ms) GROUP BY service.name ORDER BY '), ['COUNT', 'P99(duration_ms)', 'service.name']);
    assert.deepEqual(labels('VISUALIZE COUNT ORDER BY COUNT d'), ['DESC']);
  });

  it('offers the chosen calculations and comparisons in HAVING', () => {
    assert.deepEqual(labels('VISUALIZE COUNT, HEATMAP(duration_ms) HAVING '), ['COUNT']);
    assert.deepEqual(labels('VISUALIZE COUNT HAVING COUNT '), ['=', '!=', '>', '>=', '<', '<=']);
  });

  it('offers durations after LAST and GRANULARITY, and BY after GROUP', () => {
    assert.deepEqual(labels('VISUALIZE COUNT LAST '), ['15m', '1h', '2h', '6h', '24h', '7d']);
    assert.deepEqual(labels('LAST 2h GRANULARITY '), ['10s', '1m', '5m', '15m', '1h']);
    assert.deepEqual(labels('GROUP '), ['BY']);
    assert.deepEqual(labels('FROM 1700000000 '), ['TO']);
  });

  it('completes at a cursor in the middle of the text, replacing the whole word', () => {
    const [first] = completeTextQuery('VISUALIZE COUNT WHERE serv = "api"', 25, catalog);
    assert.deepEqual(first, { label: 'service.name', kind: 'column', detail: 'string', insertText: 'service.name', replaceFrom: 22, replaceTo: 26 });
  });

  it('never throws on arbitrary text and cursor positions', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.nat({ max: 45 }), (text, cursor) => {
        const completions = completeTextQuery(text, cursor, catalog);
        for (const c of completions) assert.ok(c.replaceFrom <= c.replaceTo && c.replaceTo <= text.length);
      }),
      { numRuns: 500 },
    );
  });
});
