import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidQueryError } from '../../src/core/errors.js';
import { parseTextQuery } from '../../src/query/text/text-query-parser.js';
import { printTextQuery } from '../../src/query/text/text-query-printer.js';
import { TextQuerySyntaxError } from '../../src/query/text/text-query-syntax-error.js';
import { arbitraryQuerySpec } from './arbitrary-query-spec.js';

function syntaxError(text: string): TextQuerySyntaxError {
  try {
    parseTextQuery(text);
  } catch (error) {
    assert.ok(error instanceof TextQuerySyntaxError, `expected a TextQuerySyntaxError, got ${String(error)}`);
    return error;
  }
  assert.fail(`parsed without error: ${text}`);
}

describe('text query language', () => {
  it('parses the example of the issue into the Query Specification', () => {
    const spec = parseTextQuery(
      'VISUALIZE P95(duration_ms), COUNT WHERE service.name = "api" AND http.response.status_code >= 500 GROUP BY user.id ORDER BY P95(duration_ms) DESC LIMIT 10 LAST 2h',
    );
    assert.deepEqual(spec, {
      calculations: [{ op: 'P95', column: 'duration_ms' }, { op: 'COUNT' }],
      filters: [
        { column: 'service.name', op: '=', value: 'api' },
        { column: 'http.response.status_code', op: '>=', value: 500 },
      ],
      filter_combination: 'AND',
      breakdowns: ['user.id'],
      orders: [{ op: 'P95', column: 'duration_ms', order: 'descending' }],
      havings: [],
      limit: 10,
      time_range: 7200,
    });
  });

  it('accepts lowercase keywords over several lines, in any clause order', () => {
    const spec = parseTextQuery('where error = true or `weird col` exists\ngroup by root.http.route\nvisualize count, heatmap(duration_ms)\ngranularity 1m last 1h');
    assert.deepEqual(spec, {
      calculations: [{ op: 'COUNT' }, { op: 'HEATMAP', column: 'duration_ms' }],
      filters: [
        { column: 'error', op: '=', value: true },
        { column: 'weird col', op: 'exists' },
      ],
      filter_combination: 'OR',
      breakdowns: ['root.http.route'],
      orders: [],
      havings: [],
      limit: 100,
      time_range: 3600,
      granularity: 60,
    });
  });

  it('reads in-lists, string escapes, bare word values and FROM/TO in RFC 3339 and Unix seconds', () => {
    const spec = parseTextQuery('WHERE a in ("x\\"y", 2, false) AND parent.service.name = frontend AND b does-not-start-with "\\u0000\\\\" FROM 2024-01-01T00:00:00Z TO 1704070800');
    assert.deepEqual(spec.filters, [
      { column: 'a', op: 'in', value: ['x"y', 2, false] },
      { column: 'parent.service.name', op: '=', value: 'frontend' },
      { column: 'b', op: 'does-not-start-with', value: '\u0000\\' },
    ]);
    assert.equal(spec.start_time, 1704067200);
    assert.equal(spec.end_time, 1704070800);
    assert.equal(spec.time_range, 3600);
  });

  it('reports the position and what was expected', () => {
    const error = syntaxError('VISUALIZE COUNT WHERE user.id like 5');
    assert.equal(error.position, 30);
    assert.deepEqual(error.expected, ['an operator such as = != > starts-with exists in']);
    assert.equal(error.message, "at 30: expected an operator such as = != > starts-with exists in, found 'like'");
    assert.equal(syntaxError('WHERE a ~ 5').message, "at 8: unexpected character '~'");
  });

  it('reports a missing value at the end of the text', () => {
    const error = syntaxError('VISUALIZE COUNT WHERE user.id =');
    assert.equal(error.position, 31);
    assert.match(error.message, /found the end of the query/);
  });

  it('places validation errors at the item they concern', () => {
    const error = syntaxError('VISUALIZE COUNT, SUM');
    assert.equal(error.position, 17);
    assert.equal(error.field, 'calculations[1].column');
    assert.equal(error.message, 'at 17: calculations[1].column: SUM needs a column');
    assert.ok(error instanceof InvalidQueryError);
  });

  it('refuses to mix AND and OR', () => {
    const error = syntaxError('WHERE a = 1 AND b = 2 OR c = 3');
    assert.equal(error.position, 22);
  });

  it('asks for backticks around a column named like a keyword', () => {
    const error = syntaxError('GROUP BY limit');
    assert.match(error.message, /write `limit` for a column/);
    assert.deepEqual(parseTextQuery('GROUP BY `limit`').breakdowns, ['limit']);
  });

  it('rejects an unterminated string', () => {
    const error = syntaxError('WHERE a = "abc');
    assert.equal(error.position, 14);
  });

  it('prints a spec on one line, leaving out the default limit', () => {
    const spec = parseTextQuery('visualize p99(duration_ms) where `a b` contains "x" group by `COUNT` order by p99(duration_ms) desc having p99(duration_ms) > 1.5 last 90m');
    assert.equal(
      printTextQuery(spec),
      'VISUALIZE P99(duration_ms) WHERE `a b` contains "x" GROUP BY `COUNT` ORDER BY P99(duration_ms) DESC HAVING P99(duration_ms) > 1.5 LAST 90m',
    );
  });

  it('gives back the same spec after printing and parsing, for random specs', () => {
    fc.assert(
      fc.property(arbitraryQuerySpec, (spec) => {
        const text = printTextQuery(spec);
        assert.deepEqual(parseTextQuery(text), spec, text);
        assert.deepEqual(parseTextQuery(printTextQuery(spec, { multiline: true })), spec);
      }),
      { numRuns: 500 },
    );
  });
});
