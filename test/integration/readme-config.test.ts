import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/api/web-ui-static.js';
import { LIMITS_TABLE } from '../../src/core/limits/limits-table.js';
import { SETTINGS } from '../../src/server/waggle-config.js';

describe('README', () => {
  const readme = fs.readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');

  it('starts with the two commands that work on a fresh clone', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(firstBlock, /^npm ci && npm start /m);
    assert.match(firstBlock, /^npm ci && npm test /m);
  });

  it('documents every setting exactly as the server defines it', () => {
    for (const setting of SETTINGS) {
      const row = `| \`${setting.env}\` | \`${setting.flag}\` | \`${setting.defaultValue}\` | ${setting.description} |`;
      assert.ok(readme.includes(row), `README lacks the row: ${row}`);
    }
  });
});

describe('README limits', () => {
  const readme = fs.readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');

  it('lists every bound of the limits table with its value and reason', () => {
    for (const [area, limits] of Object.entries(LIMITS_TABLE)) {
      for (const [name, limit] of Object.entries(limits)) {
        const row = `| \`${area}.${name}\` | ${limit.value} ${limit.unit} | ${limit.reason} |`;
        assert.ok(readme.includes(row), `README lacks the row: ${row}`);
      }
    }
  });
});
