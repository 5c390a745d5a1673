/** A calculated field (Honeycomb's derived column) as a query sees it: its name and expression. */
export interface CalculatedField {
  readonly name: string;
  readonly expression: string;
}
