import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StoreOutOfMemoryError } from '../../core/errors.js';
import { duckDbErrorKind } from './duckdb-error-kind.js';

// Messages as DuckDB 1.5 words them (seen in this store's tests and probes).
describe('the kind of a DuckDB error', () => {
  it('is fatal for a database invalidated by a previous fatal error', () => {
    const message = 'FATAL Error: Failed: database has been invalidated because of a previous fatal error. The database must be restarted prior to being used again.';
    assert.equal(duckDbErrorKind(new Error(message)), 'fatal');
  });

  it('is io for a checkpoint that failed and invalidated the attached database, and for a full disk alike', () => {
    assert.equal(duckDbErrorKind(new Error('IO Error: Transaction COMMIT succeeded and is durable, but the autocheckpoint failed. Detach and reattach the database to recover.')), 'io');
    assert.equal(duckDbErrorKind(new Error('IO Error: Database "waggle" has been invalidated because checkpointing failed. Detach and reattach it before using it again.')), 'io');
    assert.equal(duckDbErrorKind(new Error('IO Error: Could not write file "waggle.duckdb": No space left on device')), 'io');
  });

  it('is out_of_memory for the memory limit, but not for Waggle\'s own error that wraps it', () => {
    assert.equal(duckDbErrorKind(new Error('Out of Memory Error: could not allocate block of size 256.0 KiB')), 'out_of_memory');
    assert.equal(duckDbErrorKind(new StoreOutOfMemoryError('Out of Memory Error: wrapped')), 'other');
  });

  it('is other for anything else, and only reads the prefix', () => {
    assert.equal(duckDbErrorKind(new Error('Binder Error: Referenced column "x" not found')), 'other');
    assert.equal(duckDbErrorKind(new Error('Catalog Error: the text FATAL Error: appears later')), 'other');
    assert.equal(duckDbErrorKind('FATAL Error: not an Error object'), 'other');
  });
});
