import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, formatLogLine } from './waggle-logger.js';

const AT = new Date('2026-11-30T06:00:00.123Z');

describe('log lines', () => {
  it('writes text as today: waggle: message, then fields as key=value', () => {
    assert.equal(formatLogLine('text', 'info', 'replayed 2 requests', undefined, AT), 'waggle: replayed 2 requests\n');
    assert.equal(formatLogLine('text', 'warn', 'skipped', { walPosition: 7n, path: '/data/wal', why: 'two words' }, AT), 'waggle: skipped walPosition=7 path=/data/wal why="two words"\n');
  });

  it('writes JSON as one object a line with time, level and msg first, bigint as a string', () => {
    const line = formatLogLine('json', 'error', 'commit failed\nwith a second line', { walPosition: 7n, ok: false, level: 'ignored' }, AT);
    assert.equal(line, '{"time":"2026-11-30T06:00:00.123Z","level":"error","msg":"commit failed\\nwith a second line","walPosition":"7","ok":false}\n');
    assert.equal(line.indexOf('\n'), line.length - 1);
  });

  it('sends each level through the writer it is given', () => {
    const lines: string[] = [];
    const logger = createLogger('json', (line) => lines.push(line));
    logger.info('a');
    logger.warn('b');
    logger.error('c', { n: 1 });
    assert.deepEqual(lines.map((line) => JSON.parse(line) as Record<string, unknown>).map(({ level, msg, n }) => ({ level, msg, n })), [
      { level: 'info', msg: 'a', n: undefined },
      { level: 'warn', msg: 'b', n: undefined },
      { level: 'error', msg: 'c', n: 1 },
    ]);
  });
});
