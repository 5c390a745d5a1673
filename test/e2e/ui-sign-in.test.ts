/**
 * Signing in to the web UI with a key (Debian's Chromium through playwright-core): the session is
 * an HttpOnly cookie the page's script cannot read, queries run, signing out returns to sign-in,
 * a wrong key shows the server's error, and a manage_keys key creates and revokes keys.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dataDirWithKeys } from '../support/auth-keys-fixture.js';
import { startTestWaggle } from '../support/waggle-test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = process.cwd();
const hasChromium = fs.existsSync(CHROMIUM);

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;
type Keys = Awaited<ReturnType<typeof dataDirWithKeys>>;

async function ensureUiBuilt(): Promise<void> {
  if (fs.existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) return;
  const { build } = await import('vite');
  await build({ root: path.join(ROOT, 'web'), configFile: path.join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
}

describe('web UI sign-in', { skip: hasChromium ? false : 'Chromium is not installed' }, () => {
  let waggle: Waggle;
  let keys: Keys;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    await ensureUiBuilt();
    keys = await dataDirWithKeys();
    waggle = await startTestWaggle({ dataDir: keys.dataDir });
    const now = Math.floor(Date.now() / 1000);
    const batch = [1, 2, 3].map((i) => ({ time: new Date((now - i * 60) * 1000).toISOString(), data: { name: 'GET /', 'user.id': `u-${i}`, duration_ms: i } }));
    const sent = await fetch(`http://127.0.0.1:${waggle.ports.otlpHttp}/1/batch/shop`, { method: 'POST', headers: { 'x-honeycomb-team': keys.all, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    assert.equal(sent.status, 200);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  });
  after(async () => {
    await browser?.close();
    await waggle?.stop();
  });

  it('shows the sign-in page, and the server\'s error for a wrong key', async () => {
    await page.goto(`${waggle.baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in to Waggle' }).waitFor();
    await page.getByLabel('API key').fill('wgk_0000000000000000_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByRole('alert').innerText(), 'unknown API key: check that you pasted the whole key');
    await page.getByLabel('API key').fill(keys.only.send_events);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'run_queries' }).waitFor();
    assert.equal(await page.getByRole('alert').innerText(), `the key 'only send_events' (${keys.ids['send_events']}) lacks the permission run_queries, which signing in needs`);
  });

  it('signs in with a run_queries key, runs a query, keeps the key out of script reach, and signs out', async () => {
    await page.goto(`${waggle.baseUrl}/`);
    await page.getByLabel('API key').fill(keys.only.run_queries);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    assert.equal(await page.locator('.topbar-session strong').innerText(), 'only run_queries');
    assert.equal(await page.getByRole('link', { name: 'API keys' }).count(), 0, 'no keys page for a key without manage_keys');
    await page.goto(`${waggle.baseUrl}/query?${new URLSearchParams({ dataset: 'shop', q: 'VISUALIZE COUNT GROUP BY user.id LAST 1h' }).toString()}`);
    await page.locator('.results-table tbody tr').first().waitFor();
    assert.equal(await page.locator('.results-table tbody tr').count(), 3);
    // Saving needs manage_queries_and_columns: the dialog says the key is not allowed, not that something broke.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('latency');
    await page.getByRole('dialog').getByRole('button', { name: 'Save', exact: true }).click();
    const refusal = page.getByRole('dialog').getByRole('alert');
    await refusal.waitFor();
    assert.equal(await refusal.innerText(), `Not allowed for this key. the key 'only run_queries' (${keys.ids['run_queries']}) lacks the permission manage_queries_and_columns`);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    const stored = await page.evaluate(() => ({ cookie: document.cookie, local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage) }));
    assert.equal(stored.cookie, '');
    assert.ok(!stored.local.includes(keys.only.run_queries) && !stored.session.includes(keys.only.run_queries));
    const cookies = await page.context().cookies();
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.sameSite]), [['waggle_session', true, 'Strict']]);
    assert.ok(!cookies[0]!.value.includes(keys.only.run_queries));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Waggle' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Waggle' }).waitFor();
  });

  it('returns to the sign-in page when the session\'s key is revoked while signed in', async () => {
    const admin = { authorization: `Bearer ${keys.all}`, 'content-type': 'application/json' };
    const made = await fetch(`${waggle.baseUrl}/api/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'temporary', permissions: ['run_queries'] }) });
    const temporary = (await made.json()) as { id: string; secret: string };
    await page.goto(`${waggle.baseUrl}/`);
    await page.getByLabel('API key').fill(temporary.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    assert.equal((await fetch(`${waggle.baseUrl}/api/keys/${temporary.id}`, { method: 'DELETE', headers: admin })).status, 200);
    await page.getByRole('link', { name: 'Saved queries' }).click();
    await page.getByRole('heading', { name: 'Sign in to Waggle' }).waitFor();
  });

  it('lets a manage_keys key create a key (secret shown once) and revoke it', async () => {
    await page.goto(`${waggle.baseUrl}/`);
    await page.getByLabel('API key').fill(keys.all);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    // Seven links, the trace id box and who is signed in share the bar at 1280 px: every label on one line.
    const linkHeights = await page.locator('.topbar .nav-link').evaluateAll((links) => links.map((link) => link.getBoundingClientRect().height));
    assert.equal(linkHeights.length, 7);
    assert.deepEqual(linkHeights.map((height) => height < 34), [true, true, true, true, true, true, true], `nav link heights ${linkHeights.join(', ')}`);
    assert.ok((await page.locator('.topbar-session').boundingBox())!.height < 34);
    await page.getByLabel('Key name').fill('browser ingest');
    await page.getByLabel('run_queries', { exact: true }).uncheck();
    await page.getByLabel('send_events', { exact: true }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('new-key-secret').innerText();
    assert.match(secret, /^wgk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const auth = await fetch(`${waggle.baseUrl}/1/auth`, { headers: { 'x-honeycomb-team': secret } });
    assert.deepEqual(((await auth.json()) as { permissions: string[] }).permissions, ['send_events']);
    const row = page.locator('.keys-table tr', { hasText: 'browser ingest' });
    await row.waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke browser ingest' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await fetch(`${waggle.baseUrl}/1/auth`, { headers: { 'x-honeycomb-team': secret } })).status, 401);
    assert.deepEqual(problems, []);
  });

  it("shows a newcomer this server's OTLP endpoints and where the ingest key goes", async () => {
    const empty = await dataDirWithKeys();
    const fresh = await startTestWaggle({ dataDir: empty.dataDir });
    try {
      await page.goto(`${fresh.baseUrl}/`);
      await page.getByLabel('API key').fill(empty.only.run_queries);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Send your first spans' }).waitFor();
      const endpoints = await page.locator('.endpoint-table td.mono').allInnerTexts();
      assert.deepEqual(endpoints, [`http://127.0.0.1:${fresh.ports.otlpHttp}/v1/traces`, `127.0.0.1:${fresh.ports.otlpGrpc}`]);
      const snippet = await page.locator('.getting-started pre').innerText();
      assert.ok(snippet.includes(`export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${fresh.ports.otlpHttp}\n`), snippet);
      assert.ok(snippet.includes('export OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=<your ingest key>\n'), snippet);
      assert.deepEqual(problems, []);
    } finally {
      await fresh.stop();
    }
  });
});
