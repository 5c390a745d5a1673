import { CALCULATION_OP_TRAITS } from '../calculation-op-traits.js';
import { FILTER_OP_TRAITS } from '../filter-op-traits.js';
import type { ColumnType } from '../query-schema.js';
import { CALCULATION_OPS, FILTER_OPS, HAVING_OPS, RELATIONAL_PREFIXES, type CalculationOp, type FilterScalar } from '../query-spec.js';
import { CLAUSES } from '../text/text-query-keywords.js';
import { lexTextQuery } from '../text/text-query-lexer.js';
import { printColumn } from '../text/text-query-printer.js';
import type { Token } from '../text/text-query-token.js';
import type { AutocompleteCatalog, Completion, CompletionKind } from './autocomplete-catalog.js';
import { completionContext } from './completion-context.js';

const MAX_COMPLETIONS = 100;
const DURATIONS = ['15m', '1h', '2h', '6h', '24h', '7d'];
const GRANULARITIES = ['10s', '1m', '5m', '15m', '1h'];

interface Candidate {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly insertText: string;
}

/** The token being typed at the cursor, if any: it is what completions replace. */
function partialAt(tokens: readonly Token[], cursor: number): Token | undefined {
  return tokens.find((t) => t.kind !== 'eof' && t.kind !== 'symbol' && t.start < cursor && cursor <= t.end);
}

function calcText(op: CalculationOp, column?: string): string {
  return column === undefined ? op : `${op}(${printColumn(column)})`;
}

function printValue(value: FilterScalar): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function columnCandidates(catalog: AutocompleteCatalog, typed: string, filter: (type: ColumnType) => boolean, prefixes: readonly string[]): Candidate[] {
  const prefix = prefixes.find((p) => typed.toLowerCase().startsWith(p)) ?? '';
  return catalog
    .columns()
    // root.network.latency_ms and the like are refused by the resolver: not offered either.
    .filter((c) => filter(c.type) && (prefix === '' || c.derived !== true))
    .map((c) => ({ label: prefix + c.name, kind: 'column' as const, detail: c.type, insertText: printColumn(prefix + c.name) }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

function stripPrefix(column: string): string {
  const prefix = RELATIONAL_PREFIXES.find((p) => column.startsWith(p));
  return prefix === undefined ? column : column.slice(prefix.length);
}

function columnType(catalog: AutocompleteCatalog, column: string): ColumnType | undefined {
  const columns = catalog.columns();
  return (columns.find((c) => c.name === column) ?? columns.find((c) => c.name === stripPrefix(column)))?.type;
}

function keyword(label: string, detail?: string): Candidate {
  return { label, kind: 'keyword', insertText: label, ...(detail === undefined ? {} : { detail }) };
}

/** Ranks what matches the typed text: prefix matches first, then substring matches (columns only). */
function rank(candidates: readonly Candidate[], typed: string): Candidate[] {
  const t = typed.toLowerCase();
  if (t === '') return [...candidates];
  const starts = candidates.filter((c) => c.label.toLowerCase().startsWith(t) || c.insertText.toLowerCase().startsWith(t));
  const inside = candidates.filter((c) => c.kind === 'column' && !starts.includes(c) && c.label.toLowerCase().includes(t));
  return [...starts, ...inside];
}

/**
 * Completions at `cursor` (a character offset) in a possibly incomplete text query: clause
 * keywords valid there, calculation ops, columns with their types, operators valid for the
 * column's type, and the column's frequent values after an operator. Pure; never throws.
 */
export function completeTextQuery(text: string, cursor: number, catalog: AutocompleteCatalog): Completion[] {
  const at = Math.max(0, Math.min(cursor, text.length));
  const tokens = lexTextQuery(text, { tolerant: true });
  const partial = partialAt(tokens, at);
  const replaceFrom = partial?.start ?? at;
  const replaceTo = partial?.end ?? at;
  const typed = partial === undefined ? '' : partial.kind === 'string' || partial.kind === 'quoted-column' ? partial.value.slice(0, Math.max(0, at - partial.start - 1)) : text.slice(partial.start, at);
  const before = tokens.filter((t) => t.end <= replaceFrom && t.kind !== 'eof');
  const ctx = completionContext(before);
  const e = ctx.expectation;

  let candidates: Candidate[] = [];
  switch (e.kind) {
    case 'clause': {
      const clauses = CLAUSES.filter((c) => !ctx.usedClauses.has(c) && !(c === 'LAST' && ctx.usedClauses.has('FROM')) && !(c === 'FROM' && ctx.usedClauses.has('LAST')));
      candidates = [...e.continuations.map((k) => keyword(k)), ...clauses.map((c) => keyword(c))];
      break;
    }
    case 'by':
      candidates = [keyword('BY')];
      break;
    case 'calculation': {
      const chosen = ctx.calculations.filter((c) => e.among !== 'chosen-scalar' || CALCULATION_OP_TRAITS[c.op].scalarResult);
      candidates =
        e.among === 'all'
          ? CALCULATION_OPS.map((op) => ({
              label: op,
              kind: 'calculation' as const,
              detail: CALCULATION_OP_TRAITS[op].takesColumn ? (CALCULATION_OP_TRAITS[op].numericColumn ? 'numeric column' : 'any column') : 'no column',
              insertText: CALCULATION_OP_TRAITS[op].takesColumn ? `${op}(` : op,
            }))
          : chosen.map((c) => ({ label: calcText(c.op, c.column), kind: 'calculation' as const, insertText: calcText(c.op, c.column) }));
      break;
    }
    case 'calculation-column': {
      const numeric = CALCULATION_OP_TRAITS[e.op].numericColumn;
      candidates = columnCandidates(catalog, typed, (t) => !numeric || t === 'integer' || t === 'float', []);
      break;
    }
    case 'column':
      candidates = columnCandidates(catalog, typed, () => true, e.purpose === 'filter' ? RELATIONAL_PREFIXES : ['root.', 'parent.']);
      break;
    case 'order-item':
      candidates = [
        ...ctx.calculations.filter((c) => CALCULATION_OP_TRAITS[c.op].scalarResult).map((c) => ({ label: calcText(c.op, c.column), kind: 'calculation' as const, insertText: calcText(c.op, c.column) })),
        ...ctx.breakdowns.map((b) => ({ label: b, kind: 'column' as const, insertText: printColumn(b) })),
      ];
      break;
    case 'filter-operator': {
      const type = columnType(catalog, e.column);
      candidates = FILTER_OPS.filter((op) => type === undefined || FILTER_OP_TRAITS[op].columnTypes.includes(type)).map((op) => ({
        label: op,
        kind: 'operator' as const,
        ...(type === undefined ? {} : { detail: type }),
        insertText: FILTER_OP_TRAITS[op].arity === 'list' ? `${op} (` : op,
      }));
      break;
    }
    case 'filter-value': {
      const values = catalog.topValues(stripPrefix(e.column));
      candidates = values.map((v) => ({ label: String(v), kind: 'value' as const, insertText: printValue(v) }));
      break;
    }
    case 'having-operator':
      candidates = HAVING_OPS.map((op) => ({ label: op, kind: 'operator' as const, insertText: op }));
      break;
    case 'duration':
      candidates = (e.clause === 'GRANULARITY' ? GRANULARITIES : DURATIONS).map((d) => ({ label: d, kind: 'value' as const, insertText: d }));
      break;
    case 'to':
      candidates = [keyword('TO')];
      break;
    case 'nothing':
      candidates = [];
      break;
  }
  return rank(candidates, typed)
    .slice(0, MAX_COMPLETIONS)
    .map((c) => ({ ...c, replaceFrom, replaceTo }));
}
