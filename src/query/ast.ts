/** The OneRoster filter language as plain data: what the parser produces and the compiler consumes. */
export type Predicate = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';

export type Comparison = {
  kind: 'comparison';
  /** As written, e.g. `status`, `class.sourcedId`, `metadata.microsoft.userFlags`. */
  field: string;
  op: Predicate;
  /** The quoted value with its quotes removed and `''` unescaped. */
  value: string;
  /** 0-based offset of the field in the filter string (for error messages). */
  position: number;
};

export type Conjunction = { kind: 'and'; terms: FilterExpr[] };
export type Disjunction = { kind: 'or'; terms: FilterExpr[] };
export type FilterExpr = Comparison | Conjunction | Disjunction;

/** A filter that does not parse: where (0-based offset) and what was expected there. */
export class FilterSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly expected: string,
    message: string,
  ) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

/** Limits that keep any input cheap to reject: longer, deeper or larger filters are a 400. */
export const FILTER_LIMITS = { maxLength: 16_384, maxDepth: 32, maxComparisons: 200 } as const;
