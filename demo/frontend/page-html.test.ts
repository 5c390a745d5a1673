import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderDemoPage, type PageConfig } from './page-html.js';

const config: PageConfig = {
  apiPort: 3001,
  otlpHttpPort: 4318,
  wagglePort: 8080,
  users: [{ id: 'u-1', name: 'Alice', token: 'token-u-1' }],
};

function embeddedConfig(html: string): unknown {
  const match = /<script type="application\/json" id="demo-config">(.*?)<\/script>/s.exec(html);
  assert.ok(match, 'config script present');
  return JSON.parse(match[1]!);
}

describe('renderDemoPage', () => {
  it('embeds the page config as JSON the script can parse back', () => {
    assert.deepEqual(embeddedConfig(renderDemoPage(config)), config);
  });

  it('cannot be broken out of by a user name containing markup', () => {
    const hostile: PageConfig = { ...config, users: [{ id: 'u-x', name: '</script><script>alert(1)</script><!--', token: 't' }] };
    const html = renderDemoPage(hostile);
    assert.equal(html.includes('<script>alert(1)'), false);
    assert.equal(html.split('</script>').length, 3); // the config script's and app.js's own
    assert.deepEqual(embeddedConfig(html), hostile);
  });

  it('loads the bundled script and has the controls the script and the tests use', () => {
    const html = renderDemoPage(config);
    for (const id of ['user', 'load-products', 'checkout', 'recommendations', 'status', 'products', 'trace-link']) {
      assert.ok(html.includes(`id="${id}"`), `#${id}`);
    }
    assert.ok(html.includes('<script src="/app.js"></script>'));
  });
});
