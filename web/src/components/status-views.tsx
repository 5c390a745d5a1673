import { useState, type ReactNode } from 'react';

export function Loading({ what }: { what: string }): ReactNode {
  return (
    <div className="status status-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

/** The HTTP status an API error carries (ApiError), or null for any other error. */
function statusOf(error: Error | string): number | null {
  return typeof error === 'object' && 'status' in error && typeof error.status === 'number' ? error.status : null;
}

export function ErrorMessage({ error, retry }: { error: Error | string; retry?: () => void }): ReactNode {
  // A key without the permission is not a fault: say so (the server's text names the permission).
  const heading = statusOf(error) === 403 ? 'Not allowed for this key.' : 'Something went wrong.';
  return (
    <div className="status status-error" role="alert">
      <strong>{heading}</strong> {typeof error === 'string' ? error : error.message}
      {retry && (
        <button type="button" className="link-button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }): ReactNode {
  return <div className="status status-empty">{children}</div>;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }): ReactNode {
  const [copied, setCopied] = useState(false);
  const copy = (): void => {
    void navigator.clipboard?.writeText(text).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      },
      () => setCopied(false),
    );
  };
  return (
    <button type="button" className="small" onClick={copy}>
      {copied ? 'Copied' : label}
    </button>
  );
}
