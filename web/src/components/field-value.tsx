import type { ReactNode } from 'react';
import { safeHttpUrl } from '../models/safe-link-model.js';

/** A span field as text; only http(s) URLs become links (opened without referrer or opener). */
export function FieldValue({ value }: { value: unknown }): ReactNode {
  const url = safeHttpUrl(value);
  if (url !== null)
    return (
      <a href={url} target="_blank" rel="noopener noreferrer nofollow">
        {String(value)}
      </a>
    );
  if (value === null || value === undefined) return <span className="muted">(none)</span>;
  if (typeof value === 'boolean') return <span className="value-bool">{String(value)}</span>;
  if (typeof value === 'number') return <span className="value-number">{String(value)}</span>;
  if (typeof value === 'string') return <span className="value-string">{value}</span>;
  return <span className="value-json">{JSON.stringify(value)}</span>;
}
