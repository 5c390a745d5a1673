import { InvalidQueryError } from '../core/errors.js';

/**
 * A calculated field that does not parse or type-check: `position` is the character offset of the
 * offending token in the expression (the API answers it in the 400's JSON), `field` the spec or
 * request field holding the expression.
 */
export class DerivedExpressionError extends InvalidQueryError {
  readonly position: number;
  constructor(message: string, position: number, field = 'expression') {
    super(`${field}: ${message} (at character ${position})`, field);
    this.position = position;
    this.name = 'DerivedExpressionError';
  }
}
