import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostAllowList } from './host-allow-list.js';

describe('HostAllowList', () => {
  it('allows loopback names and every IP literal by default, and nothing else', () => {
    const hosts = new HostAllowList([], '127.0.0.1', '');
    for (const host of ['localhost', 'localhost:8080', 'LocalHost.', 'ui.localhost:8080', '127.0.0.1:8080', '[::1]:8080', '192.168.1.20', '[fe80::1]', '127.1']) {
      assert.equal(hosts.allows(host), true, host);
    }
    for (const host of ['evil.example', 'localhost.evil.example', 'evillocalhost', 'a@127.0.0.1', '127.0.0.1/x', '', 'local host', '[::1', 'localhost:99999999']) {
      assert.equal(hosts.allows(host), false, host);
    }
  });

  it('adds a named WAGGLE_HOST, the public URL host and the configured names, but not a wildcard bind address', () => {
    const hosts = new HostAllowList(['Waggle.Internal', '*.corp.example', '.lan'], 'tracing.box', 'https://waggle.example.com/');
    for (const host of ['tracing.box:8080', 'waggle.example.com', 'waggle.internal', 'a.b.corp.example', 'nas.lan']) assert.equal(hosts.allows(host), true, host);
    for (const host of ['corp.example', 'xcorp.example', 'lan', 'example.com']) assert.equal(hosts.allows(host), false, host);
    assert.equal(new HostAllowList([], '0.0.0.0', '').allows('evil.example'), false);
  });

  it('allows any Host when configured with *', () => {
    assert.equal(new HostAllowList(['*'], '127.0.0.1', '').allows('anything.example:1'), true);
  });
});
