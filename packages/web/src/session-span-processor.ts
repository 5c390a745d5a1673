import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-web';
import { SESSION_ID_KEY, type BrowserSession } from './browser-session.js';

const USER_ID_KEY = 'user.id';

/** Stamps `session.id` (and `user.id` once set) on every span of the page as it starts. */
export class SessionSpanProcessor implements SpanProcessor {
  readonly #session: BrowserSession;

  constructor(session: BrowserSession) {
    this.#session = session;
  }

  onStart(span: Span, _parentContext: Context): void {
    span.setAttribute(SESSION_ID_KEY, this.#session.id);
    const user = this.#session.userId;
    if (user !== undefined) span.setAttribute(USER_ID_KEY, user);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
