import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidQueryError } from '../../src/core/errors.js';
import { suggestColumnName } from '../../src/query/column-name-suggester.js';
import { resolveQueryColumns } from '../../src/query/query-column-resolver.js';
import { validateQuerySpec } from '../../src/query/query-spec-validator.js';
import { parseTextQuery } from '../../src/query/text/text-query-parser.js';
import { TextQuerySyntaxError } from '../../src/query/text/text-query-syntax-error.js';
import { spanTableSchema } from './span-table-fixture.js';

const schema = spanTableSchema();

function rejection(input: Record<string, unknown>): [string | undefined, string] {
  try {
    resolveQueryColumns(validateQuerySpec(input), schema);
  } catch (error) {
    assert.ok(error instanceof InvalidQueryError);
    return [error.field, error.message];
  }
  assert.fail('accepted');
}

describe('resolveQueryColumns', () => {
  it('suggests the nearest column name', () => {
    assert.deepEqual(rejection({ breakdowns: ['usr.id'] }), ['breakdowns[0]', 'breakdowns[0]: no column usr.id; did you mean user.id?']);
    assert.deepEqual(rejection({ filters: [{ column: 'sevrice.name', op: 'exists' }] }), ['filters[0].column', 'filters[0].column: no column sevrice.name; did you mean service.name?']);
    assert.deepEqual(rejection({ breakdowns: ['root.sevrice.name'] }), ['breakdowns[0]', 'breakdowns[0]: no column root.sevrice.name; did you mean root.service.name?']);
    assert.deepEqual(rejection({ breakdowns: ['completely.different'] }), ['breakdowns[0]', 'breakdowns[0]: no column completely.different']);
  });

  it('checks column types against the ops', () => {
    assert.deepEqual(rejection({ calculations: [{ op: 'P99', column: 'name' }] }), ['calculations[0].column', 'calculations[0].column: P99 needs a numeric column; name is string']);
    assert.deepEqual(rejection({ filters: [{ column: 'duration_ms', op: 'contains', value: '1' }] }), ['filters[0].op', 'filters[0].op: contains does not apply to duration_ms (float)']);
    assert.deepEqual(rejection({ filters: [{ column: 'error', op: '>', value: true }] }), ['filters[0].op', 'filters[0].op: > does not apply to error (boolean)']);
  });

  it('converts values to the column type and rejects what does not convert', () => {
    const resolved = resolveQueryColumns(
      validateQuerySpec({ filters: [
        { column: 'http.status_code', op: '=', value: ' 500 ' },
        { column: 'http.status_code', op: 'in', value: [1.5, '9223372036854775807'] },
        { column: 'name', op: '=', value: 5 },
        { column: 'error', op: '=', value: 'TRUE' },
      ], filter_combination: 'OR' }),
      schema,
    );
    assert.deepEqual(resolved.filters.map((f) => f.values), [
      [{ type: 'integer', value: 500n }],
      [{ type: 'float', value: 1.5 }, { type: 'integer', value: 9223372036854775807n }],
      [{ type: 'string', value: '5' }],
      [{ type: 'boolean', value: true }],
    ]);
    assert.deepEqual(rejection({ filters: [{ column: 'duration_ms', op: '>', value: 'slow' }] }), ['filters[0].value', "filters[0].value: 'slow' is not a number (duration_ms is float)"]);
    assert.deepEqual(rejection({ filters: [{ column: 'error', op: '=', value: 1 }] }), ['filters[0].value', 'filters[0].value: 1 is not a boolean (error is boolean)']);
  });

  it('reads relational prefixes and limits where they may appear', () => {
    const resolved = resolveQueryColumns(validateQuerySpec({ breakdowns: ['root.name', 'parent.name'], filters: [{ column: 'any.error', op: '=', value: true }, { column: 'none.name', op: 'exists' }] }), schema);
    assert.deepEqual(resolved.breakdowns.map((b) => [b.relation, b.binding.name]), [['root', 'name'], ['parent', 'name']]);
    assert.deepEqual(resolved.filters.map((f) => [f.column.relation, f.column.binding.name]), [['any', 'error'], ['none', 'name']]);
    assert.deepEqual(rejection({ breakdowns: ['any.name'] }), ['breakdowns[0]', 'breakdowns[0]: the any. prefix is only allowed in filters']);
    assert.deepEqual(rejection({ calculations: [{ op: 'MAX', column: 'root.duration_ms' }] }), ['calculations[0].column', 'calculations[0].column: the root. prefix is only allowed in filters and breakdowns']);
  });

  it('gives a text query column error a position', () => {
    try {
      parseTextQuery('VISUALIZE COUNT WHERE usr.id = "x"', { schema });
      assert.fail('accepted');
    } catch (error) {
      assert.ok(error instanceof TextQuerySyntaxError);
      assert.equal(error.position, 22);
      assert.equal(error.message, 'at 22: filters[0].column: no column usr.id; did you mean user.id?');
    }
  });

  it('places an error about a calculation column or a filter value on that column or value', () => {
    const positionOf = (text: string): number => {
      try {
        parseTextQuery(text, { schema });
      } catch (error) {
        assert.ok(error instanceof TextQuerySyntaxError);
        return error.position;
      }
      return assert.fail('accepted');
    };
    assert.equal(positionOf('VISUALIZE COUNT, P95(nope)'), 21);
    assert.equal(positionOf('VISUALIZE COUNT WHERE error = "maybe"'), 30);
  });

  it('prefers a case-only difference in suggestions', () => {
    assert.equal(suggestColumnName('User.Id', ['user.id', 'Usr.Id']), 'user.id');
  });
});
