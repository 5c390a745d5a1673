/** The header's "open a trace by id" box: validates the id before going to /trace/<id>. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { parseTraceIdInput } from '../../models/trace-id-input-model.js';
import { navigate, traceHref } from '../../routing/router.js';

export function TraceIdBox(): ReactNode {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const parsed = parseTraceIdInput(text);
    if (!parsed.ok) {
      setProblem(parsed.message);
      return;
    }
    setProblem(null);
    setText('');
    navigate(traceHref(parsed.traceId));
  };
  return (
    <form className="trace-id-box" role="search" aria-label="Open a trace" onSubmit={submit}>
      <input
        className="mono"
        placeholder="Trace id"
        aria-label="Trace id"
        aria-invalid={problem !== null}
        aria-describedby={problem ? 'trace-id-problem' : undefined}
        value={text}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          if (problem) setProblem(null);
        }}
      />
      <button type="submit" className="small">
        Open
      </button>
      {problem && (
        <div id="trace-id-problem" className="trace-id-problem" role="alert">
          {problem}
        </div>
      )}
    </form>
  );
}
