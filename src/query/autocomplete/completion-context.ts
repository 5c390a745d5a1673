import { CALCULATION_OPS, FILTER_OPS, HAVING_OPS, type CalculationOp } from '../query-spec.js';
import { CLAUSE_STARTS, type Clause } from '../text/text-query-keywords.js';
import type { Token } from '../text/text-query-token.js';

/** What may come at the cursor, worked out from the tokens before it. */
export type Expectation =
  | { readonly kind: 'clause'; readonly continuations: readonly string[] }
  | { readonly kind: 'by' }
  | { readonly kind: 'calculation'; readonly among: 'all' | 'chosen' | 'chosen-scalar' }
  | { readonly kind: 'calculation-column'; readonly op: CalculationOp }
  | { readonly kind: 'column'; readonly purpose: 'filter' | 'group' }
  | { readonly kind: 'order-item' }
  | { readonly kind: 'filter-operator'; readonly column: string }
  | { readonly kind: 'filter-value'; readonly column: string; readonly inList: boolean }
  | { readonly kind: 'having-operator' }
  | { readonly kind: 'duration'; readonly clause: 'LAST' | 'GRANULARITY' }
  | { readonly kind: 'to' }
  | { readonly kind: 'nothing' };

export interface CompletionContext {
  readonly expectation: Expectation;
  readonly usedClauses: ReadonlySet<Clause>;
  /** Calculations written after VISUALIZE, in their printed form. */
  readonly calculations: ReadonlyArray<{ readonly op: CalculationOp; readonly column?: string }>;
  readonly breakdowns: readonly string[];
}

type Step =
  | 'clause'
  | 'by'
  | 'calc'
  | 'calc-open'
  | 'calc-column'
  | 'calc-close'
  | 'after-calc'
  | 'filter-column'
  | 'filter-op'
  | 'filter-value'
  | 'list-open'
  | 'list-value'
  | 'list-next'
  | 'after-filter'
  | 'group-column'
  | 'after-group'
  | 'order-item'
  | 'after-order'
  | 'having-op'
  | 'having-value'
  | 'after-having'
  | 'single'
  | 'from-time'
  | 'to'
  | 'to-time'
  | 'done';

const isWord = (t: Token, w: string): boolean => t.kind === 'word' && t.value.toLowerCase() === w;
const isSymbol = (t: Token, s: string): boolean => t.kind === 'symbol' && t.value === s;
const isColumn = (t: Token): boolean => t.kind === 'word' || t.kind === 'quoted-column';

function calcOp(t: Token): CalculationOp | undefined {
  const upper = t.value.toUpperCase();
  return t.kind === 'word' && (CALCULATION_OPS as readonly string[]).includes(upper) ? (upper as CalculationOp) : undefined;
}

/**
 * Walks the tokens before the cursor through the grammar, forgiving mistakes (an unexpected
 * token is skipped), and says what the next token may be.
 */
export function completionContext(tokens: readonly Token[]): CompletionContext {
  const used = new Set<Clause>();
  const calculations: Array<{ op: CalculationOp; column?: string }> = [];
  const breakdowns: string[] = [];
  let clause: Clause | undefined;
  let step: Step = 'clause';
  let pendingOp: CalculationOp | undefined;
  let filterColumn = '';

  const startClause = (t: Token): boolean => {
    const c = t.kind === 'word' ? CLAUSE_STARTS.get(t.value.toLowerCase()) : undefined;
    if (c === undefined) return false;
    used.add(c);
    clause = c;
    const first: Record<Clause, Step> = {
      VISUALIZE: 'calc',
      WHERE: 'filter-column',
      'GROUP BY': 'by',
      'ORDER BY': 'by',
      HAVING: 'calc',
      LIMIT: 'single',
      LAST: 'single',
      FROM: 'from-time',
      GRANULARITY: 'single',
    };
    step = first[c];
    return true;
  };
  const afterCalc = (): Step => (clause === 'ORDER BY' ? 'after-order' : clause === 'HAVING' ? 'having-op' : 'after-calc');
  const itemStart = (): Step => (clause === 'GROUP BY' ? 'group-column' : clause === 'ORDER BY' ? 'order-item' : 'calc');

  /** Feeds one token; false means "look at this token again in the new step". */
  const advance = (t: Token): boolean => {
    switch (step) {
      case 'by':
        if (isWord(t, 'by')) step = itemStart();
        return true;
      case 'calc':
      case 'order-item': {
        const op = calcOp(t);
        if (op !== undefined) {
          pendingOp = op;
          step = 'calc-open';
        } else if (step === 'order-item' && isColumn(t) && !CLAUSE_STARTS.has(t.value.toLowerCase())) step = 'after-order';
        else startClause(t);
        return true;
      }
      case 'calc-open':
        if (isSymbol(t, '(')) {
          step = 'calc-column';
          return true;
        }
        if (clause === 'VISUALIZE' && pendingOp !== undefined) calculations.push({ op: pendingOp });
        step = afterCalc();
        return false;
      case 'calc-column':
        if (isColumn(t)) {
          if (clause === 'VISUALIZE' && pendingOp !== undefined) calculations.push({ op: pendingOp, column: t.value });
          step = 'calc-close';
        }
        return true;
      case 'calc-close':
        if (isSymbol(t, ')')) step = afterCalc();
        return true;
      case 'filter-column':
        if (isColumn(t) && !startClause(t)) {
          filterColumn = t.value;
          step = 'filter-op';
        }
        return true;
      case 'filter-op': {
        const op = t.kind === 'symbol' ? t.value : t.value.toLowerCase();
        if (!(FILTER_OPS as readonly string[]).includes(op)) {
          step = 'after-filter';
          return false;
        }
        step = op === 'exists' || op === 'does-not-exist' ? 'after-filter' : op === 'in' || op === 'not-in' ? 'list-open' : 'filter-value';
        return true;
      }
      case 'filter-value':
        step = 'after-filter';
        return true;
      case 'list-open':
        step = isSymbol(t, '(') ? 'list-value' : 'after-filter';
        return true;
      case 'list-value':
        step = 'list-next';
        return true;
      case 'list-next':
        step = isSymbol(t, ',') ? 'list-value' : 'after-filter';
        return true;
      case 'group-column':
        if (isColumn(t) && !startClause(t)) {
          breakdowns.push(t.value);
          step = 'after-group';
        }
        return true;
      case 'having-op':
        step = t.kind === 'symbol' && (HAVING_OPS as readonly string[]).includes(t.value) ? 'having-value' : 'after-having';
        return true;
      case 'having-value':
        step = 'after-having';
        return true;
      case 'single':
      case 'from-time':
      case 'to-time':
        step = step === 'from-time' ? 'to' : 'done';
        return true;
      case 'to':
        if (isWord(t, 'to')) {
          step = 'to-time';
          return true;
        }
        step = 'done';
        return false;
      default:
        // An item is complete: a comma or joiner continues the clause, anything else may start one.
        if (step === 'after-filter' && (isWord(t, 'and') || isWord(t, 'or'))) step = 'filter-column';
        else if (step === 'after-order' && (isWord(t, 'asc') || isWord(t, 'desc'))) step = 'after-order';
        else if ((step === 'after-calc' || step === 'after-group' || step === 'after-order' || step === 'after-having') && isSymbol(t, ',')) step = itemStart();
        else startClause(t);
        return true;
    }
  };

  let i = 0;
  while (i < tokens.length && tokens[i]!.kind !== 'eof') {
    if (advance(tokens[i]!)) i += 1;
  }

  const clauseLevel = (continuations: string[]): Expectation => ({ kind: 'clause', continuations });
  const expectations: Record<Step, () => Expectation> = {
    clause: () => clauseLevel([]),
    by: () => ({ kind: 'by' }),
    calc: () => ({ kind: 'calculation', among: clause === 'HAVING' ? 'chosen-scalar' : 'all' }),
    // A calculation without parentheses may be complete: offer what follows one.
    'calc-open': () => expectations[afterCalc()](),
    'calc-column': () => ({ kind: 'calculation-column', op: pendingOp ?? 'COUNT' }),
    'calc-close': () => ({ kind: 'nothing' }),
    'after-calc': () => clauseLevel([]),
    'filter-column': () => ({ kind: 'column', purpose: 'filter' }),
    'filter-op': () => ({ kind: 'filter-operator', column: filterColumn }),
    'filter-value': () => ({ kind: 'filter-value', column: filterColumn, inList: false }),
    'list-open': () => ({ kind: 'nothing' }),
    'list-value': () => ({ kind: 'filter-value', column: filterColumn, inList: true }),
    'list-next': () => ({ kind: 'nothing' }),
    'after-filter': () => clauseLevel(['AND', 'OR']),
    'group-column': () => ({ kind: 'column', purpose: 'group' }),
    'after-group': () => clauseLevel([]),
    'order-item': () => ({ kind: 'order-item' }),
    'after-order': () => clauseLevel(['ASC', 'DESC']),
    'having-op': () => ({ kind: 'having-operator' }),
    'having-value': () => ({ kind: 'nothing' }),
    'after-having': () => clauseLevel([]),
    single: () => (clause === 'LIMIT' ? { kind: 'nothing' } : { kind: 'duration', clause: clause === 'GRANULARITY' ? 'GRANULARITY' : 'LAST' }),
    'from-time': () => ({ kind: 'nothing' }),
    to: () => ({ kind: 'to' }),
    'to-time': () => ({ kind: 'nothing' }),
    done: () => clauseLevel([]),
  };
  return { expectation: expectations[step](), usedClauses: used, calculations, breakdowns };
}
