import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';

export const USER_ID_KEY = 'user.id';

/**
 * Sets `user.id` on the active span and on the request's server span (so queries grouping the
 * server spans by user find it), and returns a context carrying `user.id` in its baggage: run the
 * rest of the request in it (`context.with(ctx, next)`, or `withUser`) so that every later span
 * and every outgoing call (through the baggage header) carries the user too.
 */
export function setUser(id: string, parent: Context = context.active()): Context {
  const active = trace.getSpan(parent);
  active?.setAttribute(USER_ID_KEY, id);
  const server = getRPCMetadata(parent)?.span;
  if (server !== undefined && server !== active) server.setAttribute(USER_ID_KEY, id);
  const baggage = propagation.getBaggage(parent) ?? propagation.createBaggage();
  return propagation.setBaggage(parent, baggage.setEntry(USER_ID_KEY, { value: id }));
}

/** Runs `fn` with the user set (see setUser); an Express middleware can call `withUser(id, next)`. */
export function withUser<T>(id: string, fn: () => T): T {
  return context.with(setUser(id), fn);
}
