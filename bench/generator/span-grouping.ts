import type { GeneratedResource, GeneratedScope, GeneratedSpan } from './generated-span.js';

export interface ResourceGroup {
  readonly resource: GeneratedResource;
  readonly scopes: Array<{ readonly scope: GeneratedScope; readonly spans: GeneratedSpan[] }>;
}

/**
 * Groups spans by resource (identity) then scope, each in order of first appearance: the order
 * the OpenTelemetry JS serializers use, so our bodies match theirs byte for byte.
 */
export function groupSpansByResourceAndScope(spans: readonly GeneratedSpan[]): ResourceGroup[] {
  const byResource = new Map<GeneratedResource, Map<string, { scope: GeneratedScope; spans: GeneratedSpan[] }>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (scopes === undefined) {
      scopes = new Map();
      byResource.set(span.resource, scopes);
    }
    const scopeKey = `${span.scope.name}@${span.scope.version}`;
    let group = scopes.get(scopeKey);
    if (group === undefined) {
      group = { scope: span.scope, spans: [] };
      scopes.set(scopeKey, group);
    }
    group.spans.push(span);
  }
  return [...byResource.entries()].map(([resource, scopes]) => ({ resource, scopes: [...scopes.values()] }));
}
