import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, propagation } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-web';
import { BrowserSession, type SessionStore } from './browser-session.js';
import { SessionBaggagePropagator } from './session-baggage-propagator.js';
import { SessionSpanProcessor } from './session-span-processor.js';

// These parts need no DOM; the instrumented page itself is tested in Chromium (test/e2e/demo-*).
class MapStore implements SessionStore {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
}

describe('BrowserSession', () => {
  it('creates a 32-hex-digit id and keeps it in the store across page loads', () => {
    const store = new MapStore();
    const first = new BrowserSession(store);
    assert.match(first.id, /^[0-9a-f]{32}$/);
    assert.equal(new BrowserSession(store).id, first.id);
  });

  it('replaces a malformed stored id', () => {
    const store = new MapStore();
    store.setItem('waggle.session.id', '<script>');
    const session = new BrowserSession(store);
    assert.match(session.id, /^[0-9a-f]{32}$/);
    assert.equal(store.getItem('waggle.session.id'), session.id);
  });

  it('still works when storage throws (privacy modes) or is absent', () => {
    const broken: SessionStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
    };
    assert.match(new BrowserSession(broken).id, /^[0-9a-f]{32}$/);
    const a = new BrowserSession();
    const b = new BrowserSession();
    assert.notEqual(a.id, b.id);
  });

  it('sets and clears the user', () => {
    const session = new BrowserSession();
    assert.equal(session.userId, undefined);
    session.setUser('u-1');
    assert.equal(session.userId, 'u-1');
    session.setUser('');
    assert.equal(session.userId, undefined);
  });
});

describe('SessionSpanProcessor', () => {
  it('stamps session.id on every span and user.id once the user is known', async () => {
    const session = new BrowserSession();
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SessionSpanProcessor(session), new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    tracer.startSpan('before login').end();
    session.setUser('u-5');
    tracer.startSpan('after login').end();
    await provider.forceFlush();
    const [before, after] = exporter.getFinishedSpans();
    assert.deepEqual(before?.attributes, { 'session.id': session.id });
    assert.deepEqual(after?.attributes, { 'session.id': session.id, 'user.id': 'u-5' });
    await provider.shutdown();
  });
});

describe('SessionBaggagePropagator', () => {
  it('injects session.id and user.id as W3C baggage', () => {
    const session = new BrowserSession();
    const propagator = new SessionBaggagePropagator(session);
    const noUser: Record<string, string> = {};
    propagator.inject(ROOT_CONTEXT, noUser, defaultTextMapSetter);
    assert.deepEqual(noUser, { baggage: `session.id=${session.id}` });
    session.setUser('u 9');
    const withUser: Record<string, string> = {};
    propagator.inject(ROOT_CONTEXT, withUser, defaultTextMapSetter);
    assert.deepEqual(withUser, { baggage: `session.id=${session.id},user.id=u%209` });
  });

  it('lets entries already in the context win and round-trips through extract', () => {
    const session = new BrowserSession();
    session.setUser('u-1');
    const propagator = new SessionBaggagePropagator(session);
    const ctx = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'user.id': { value: 'other' } }));
    const carrier: Record<string, string> = {};
    propagator.inject(ctx, carrier, defaultTextMapSetter);
    const extracted = propagation.getBaggage(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
    assert.equal(extracted?.getEntry('user.id')?.value, 'other');
    assert.equal(extracted?.getEntry('session.id')?.value, session.id);
    assert.deepEqual(propagator.fields(), ['baggage']);
  });
});
