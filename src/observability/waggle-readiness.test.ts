import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waggleReadiness } from './waggle-readiness.js';

const COMMITTING = { committing: true, lastCommitError: null, consecutiveCommitFailures: 0, quarantinedRequests: 0 };

describe('readiness', () => {
  it('is ready once listening, with ingest ready and the store committing', () => {
    assert.deepEqual(waggleReadiness(true, { ready: true }, COMMITTING), { ready: true });
  });

  it('says starting before the listeners are up', () => {
    assert.deepEqual(waggleReadiness(false, { ready: true }, COMMITTING), { ready: false, reason: 'starting' });
  });

  it('gives ingest\'s reason (WAL replay, full disk) before the store\'s', () => {
    const failing = { committing: false, lastCommitError: 'IO Error: No space left on device', consecutiveCommitFailures: 3, quarantinedRequests: 0 };
    assert.deepEqual(waggleReadiness(true, { ready: false, reason: 'the disk is full at /data/wal' }, failing), { ready: false, reason: 'the disk is full at /data/wal' });
  });

  it('is not ready while the store\'s commits keep failing, with the last error', () => {
    const failing = { committing: false, lastCommitError: 'Out of Memory Error: could not allocate block', consecutiveCommitFailures: 3, quarantinedRequests: 1 };
    assert.deepEqual(waggleReadiness(true, { ready: true }, failing), {
      ready: false,
      reason: 'commits to the store keep failing (3 attempts in a row): Out of Memory Error: could not allocate block',
    });
    assert.deepEqual(waggleReadiness(true, { ready: true }, { ...failing, consecutiveCommitFailures: 1 }), {
      ready: false,
      reason: 'commits to the store keep failing (1 attempt in a row): Out of Memory Error: could not allocate block',
    });
  });

  it('says the store is reopening its database, with the failed attempts and the last failure', () => {
    const reopening = { committing: false, lastCommitError: 'IO Error: Database "waggle" has been invalidated', consecutiveCommitFailures: 2, quarantinedRequests: 0 };
    assert.deepEqual(waggleReadiness(true, { ready: true }, { ...reopening, reopening: { sinceMs: 0, failedAttempts: 0, lastError: null } }), {
      ready: false,
      reason: 'the store is reopening its database after a fatal error invalidated it',
    });
    assert.deepEqual(waggleReadiness(true, { ready: true }, { ...reopening, reopening: { sinceMs: 0, failedAttempts: 2, lastError: 'IO Error: Cannot open file' } }), {
      ready: false,
      reason: 'the store is reopening its database after a fatal error invalidated it; 2 attempts failed, the last with: IO Error: Cannot open file',
    });
  });
});
