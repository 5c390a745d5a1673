/**
 * The text query editor (CodeMirror 6). Completions come from the server's autocomplete API,
 * which knows the dataset's columns, their types and their frequent values; each completion
 * carries the exact range it replaces.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { autocompletion, closeBrackets, completionKeymap, startCompletion, type Completion as CmCompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { autocomplete } from '../../api/api-client.js';
import { completesWhileTyping } from '../../models/completion-trigger-model.js';
import type { QueryErrorView } from '../../models/query-error-model.js';

export interface QueryEditorProps {
  value: string;
  dataset: string;
  /** The problem to underline: its message and the range of the offending token. */
  error: QueryErrorView | null;
  onChange: (text: string) => void;
  onRun: () => void;
}

const KIND_TYPE: Record<string, string> = { keyword: 'keyword', calculation: 'function', column: 'property', operator: 'operator', value: 'constant' };

export function QueryEditor({ value, dataset, error, onChange, onRun }: QueryEditorProps): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // Callbacks change every render; the editor reads them through refs instead of being rebuilt.
  const latest = useRef({ onChange, onRun, dataset });
  latest.current = { onChange, onRun, dataset };

  useEffect(() => {
    if (!host.current) return;
    const source = async (context: CompletionContext): Promise<CompletionResult | null> => {
      const word = context.matchBefore(/[\w.`"-]*/);
      if (!context.explicit && !completesWhileTyping(context.state.sliceDoc(0, context.pos), word === null ? '' : context.state.sliceDoc(word.from, word.to))) return null;
      const controller = new AbortController();
      context.addEventListener('abort', () => controller.abort());
      let items;
      try {
        items = await autocomplete(latest.current.dataset, context.state.doc.toString(), context.pos, controller.signal);
      } catch {
        return null;
      }
      if (items.length === 0) return null;
      const from = Math.min(...items.map((c) => c.replaceFrom));
      return {
        from,
        filter: false,
        options: items.map(
          (c, i): CmCompletion => ({
            label: c.label,
            ...(c.detail === undefined ? {} : { detail: c.detail }),
            type: KIND_TYPE[c.kind] ?? 'text',
            boost: -i,
            apply: (target: EditorView) => {
              target.dispatch({
                changes: { from: c.replaceFrom, to: c.replaceTo, insert: c.insertText },
                selection: { anchor: c.replaceFrom + c.insertText.length },
                userEvent: 'input.complete',
              });
              // `P95(` or `root.` wants a column next: offer them at once, as typing `(` would.
              if (/[(.]$/.test(c.insertText)) startCompletion(target);
            },
          }),
        ),
      };
    };
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          closeBrackets(),
          EditorView.lineWrapping,
          placeholder('VISUALIZE P95(duration_ms) WHERE … GROUP BY … LAST 2h'),
          autocompletion({ override: [source], activateOnTyping: true, icons: false }),
          lintGutter(),
          Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (latest.current.onRun(), true) }])),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
          EditorView.contentAttributes.of({ 'aria-label': 'Query text', spellcheck: 'false' }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is created once; value changes are pushed in by the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current !== value) editor.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const length = editor.state.doc.length;
    const range = error?.range ?? null;
    // The message is shown once, under the editor; the underline marks where (hover repeats it).
    const diagnostics =
      error === null || range === null
        ? []
        : [
            {
              from: Math.min(Math.max(range.from, 0), length),
              to: Math.min(Math.max(range.to, range.from + 1, 0), length),
              severity: 'error' as const,
              message: error.message,
            },
          ];
    editor.dispatch(setDiagnostics(editor.state, diagnostics));
  }, [error, value]);

  return <div className="query-editor" ref={host} />;
}
