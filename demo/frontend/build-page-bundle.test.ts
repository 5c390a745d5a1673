import { it } from 'node:test';
import assert from 'node:assert/strict';
import { buildPageBundle } from './build-page-bundle.js';

it('bundles the page, @waggle/web and OpenTelemetry for the browser with esbuild', async () => {
  const script = await buildPageBundle();
  assert.ok(script.length > 50_000, `bundle is only ${script.length} bytes`);
  // Parses as a classic script (the page loads it without type=module).
  assert.doesNotThrow(() => new Function(script));
  for (const text of ['demo-browser', 'traceparent', 'session.id', '/v1/traces']) {
    assert.ok(script.includes(text), `bundle lacks ${text}`);
  }
  assert.equal(/\bimport\s*\(|^import /m.test(script), false, 'no module syntax left');
});
