import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attributeColumnName, resolveAttributeColumn } from './attribute-columns.js';
import type { ColumnType } from '../query/query-schema.js';

const types = (entries: Record<string, ColumnType>) => (key: string): ColumnType | undefined => entries[key];

describe('resolveAttributeColumn', () => {
  it('creates a column of the value kind for a new key', () => {
    assert.deepEqual(resolveAttributeColumn('user.id', 'string', 'u1', types({})), { keyName: 'user.id', type: 'string', value: 'u1' });
  });
  it('stores an integer in an existing float column as a float', () => {
    assert.deepEqual(resolveAttributeColumn('x', 'integer', 3, types({ x: 'float' })), { keyName: 'x', type: 'float', value: 3 });
  });
  it('stores a whole float in an existing integer column', () => {
    assert.deepEqual(resolveAttributeColumn('x', 'float', 4, types({ x: 'integer' })), { keyName: 'x', type: 'integer', value: 4 });
  });
  it('sends a fractional float for an integer column to the key#float column', () => {
    assert.deepEqual(resolveAttributeColumn('x', 'float', 4.5, types({ x: 'integer' })), { keyName: 'x#float', type: 'float', value: 4.5 });
  });
  it('writes numbers and booleans into an existing string column as text', () => {
    assert.deepEqual(resolveAttributeColumn('code', 'integer', 500, types({ code: 'string' })), { keyName: 'code', type: 'string', value: '500' });
    assert.deepEqual(resolveAttributeColumn('flag', 'boolean', false, types({ flag: 'string' })), { keyName: 'flag', type: 'string', value: 'false' });
  });
  it('sends a string for an integer column to the key#string column', () => {
    assert.deepEqual(
      resolveAttributeColumn('http.status_code', 'string', '500', types({ 'http.status_code': 'integer' })),
      { keyName: 'http.status_code#string', type: 'string', value: '500' },
    );
  });
  it('keeps an int64 beyond 2^53 out of a float column', () => {
    const big = 2n ** 60n;
    assert.deepEqual(resolveAttributeColumn('n', 'integer', big, types({ n: 'float' })), { keyName: 'n#integer', type: 'integer', value: big });
  });
  it('moves attributes named like core columns to attr.<key>', () => {
    assert.deepEqual(resolveAttributeColumn('error', 'boolean', true, types({})), { keyName: 'attr.error', type: 'boolean', value: true });
    assert.deepEqual(resolveAttributeColumn('name', 'string', 'n', types({})), { keyName: 'attr.name', type: 'string', value: 'n' });
  });
  it('moves attributes that already start with attr. one level further, so no two keys share a column', () => {
    assert.deepEqual(resolveAttributeColumn('attr.name', 'string', 'v9', types({ 'attr.name': 'string' })), { keyName: 'attr.attr.name', type: 'string', value: 'v9' });
    const keys = ['name', 'attr.name', 'attr.attr.name', 'attr.', 'attr', 'attribute', 'error', 'attr.error', 'x'];
    const columns = keys.map(attributeColumnName);
    assert.deepEqual(columns, ['attr.name', 'attr.attr.name', 'attr.attr.attr.name', 'attr.attr.', 'attr', 'attribute', 'attr.error', 'attr.attr.error', 'x']);
    assert.equal(new Set(columns).size, keys.length);
  });
});
