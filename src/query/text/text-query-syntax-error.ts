import { InvalidQueryError } from '../../core/errors.js';

/** A text query that does not parse: where (character offset) and what would have fitted there. */
export class TextQuerySyntaxError extends InvalidQueryError {
  readonly position: number;
  readonly expected: readonly string[];
  constructor(message: string, position: number, expected: readonly string[] = [], field?: string) {
    super(message, field ?? 'query');
    this.position = position;
    this.expected = expected;
    this.name = 'TextQuerySyntaxError';
  }
}
