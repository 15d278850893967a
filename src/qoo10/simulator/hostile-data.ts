// Hostile data for the simulator's read methods: any field of any row can be served with a NUL, control
// characters, a lone surrogate, a huge string, the wrong type, or be left out or renamed, the way a
// marketplace API misbehaves in practice. Rules are applied to the answer after the method built it, so
// the simulator's state stays correct and only what goes over the wire is hostile. The bad-data sweep
// (bench/chaos/bad-data-sweep.ts) walks every field of every read method through every variant.

/** The read methods whose rows can be made hostile (lower case, as the simulator routes them). */
export const HOSTILE_METHODS = {
  claims: 'shippingbasic.getclaiminfo_v3',
  orders: 'shippingbasic.getshippinginfo_v3',
  snapshot: 'shippingbasic.getshippingandclaiminfobyorderno_v2',
} as const;
export type HostileMethod = keyof typeof HOSTILE_METHODS;

export const HOSTILE_VARIANTS = ['nul', 'control', 'lone_surrogate', 'huge', 'wrong_type', 'missing', 'renamed', 'null', 'empty'] as const;
export type HostileVariant = (typeof HOSTILE_VARIANTS)[number];

export interface HostileRule {
  method: HostileMethod;
  field: string;
  variant: HostileVariant;
  /** Only rows of this order (matched before the row is changed); all rows when absent. */
  orderNo?: string;
}

/** Characters per huge string: far beyond any bound the service keeps, small enough for a test. */
const HUGE = 200_000;

type Row = Record<string, unknown>;

/** The field's new value, or undefined to leave it out. */
function hostileValue(value: unknown, variant: HostileVariant): unknown {
  const text = value === null || value === undefined ? '' : String(value);
  switch (variant) {
    case 'nul':
      return `${text.slice(0, 1)}\u0000${text.slice(1)}`;
    case 'control':
      return `${text}\u0007\u001b[31m\u0085\u007f`;
    case 'lone_surrogate':
      return `${text}\uD800`;
    case 'huge':
      return `${text}${'あ'.repeat(HUGE)}`;
    case 'wrong_type':
      return { value: text };
    case 'null':
      return null;
    case 'empty':
      return '';
    case 'missing':
    case 'renamed':
      return undefined;
  }
}

/** Qoo10 renaming a field: its first letter's case flipped (claimStatus → ClaimStatus), as seen between API versions. */
export function renamedField(field: string): string {
  const first = field.charAt(0);
  return (first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase()) + field.slice(1);
}

function applyToRow(row: Row, rule: HostileRule): Row {
  if (rule.orderNo !== undefined && String(row.orderNo ?? row.OrderNo ?? '') !== rule.orderNo) return row;
  if (!(rule.field in row)) return row;
  const copy: Row = { ...row };
  const value = copy[rule.field];
  delete copy[rule.field];
  if (rule.variant === 'renamed') copy[renamedField(rule.field)] = value;
  else if (rule.variant !== 'missing') copy[rule.field] = hostileValue(value, rule.variant);
  return copy;
}

/**
 * The envelope with the rules for this method applied to its rows (ResultObject as one row or an array
 * of rows). Envelopes of other methods, and errors, pass unchanged.
 */
export function applyHostileData(method: string, envelope: Record<string, unknown>, rules: readonly HostileRule[]): Record<string, unknown> {
  const active = rules.filter((rule) => HOSTILE_METHODS[rule.method] === method);
  if (active.length === 0) return envelope;
  const result = envelope.ResultObject;
  const apply = (row: unknown) =>
    typeof row === 'object' && row !== null && !Array.isArray(row) ? active.reduce((r, rule) => applyToRow(r, rule), row as Row) : row;
  if (Array.isArray(result)) return { ...envelope, ResultObject: result.map(apply) };
  if (typeof result === 'object' && result !== null) return { ...envelope, ResultObject: apply(result) };
  return envelope;
}

/** The hostile rules of one simulator, switchable per run like its faults. */
export class HostileData {
  private rules: HostileRule[] = [];

  set(rules: readonly HostileRule[]): void {
    for (const rule of rules) {
      if (!(rule.method in HOSTILE_METHODS)) throw new Error(`hostile data: unknown method ${String(rule.method)}`);
      if (!HOSTILE_VARIANTS.includes(rule.variant)) throw new Error(`hostile data: unknown variant ${String(rule.variant)}`);
    }
    this.rules = [...rules];
  }

  get current(): readonly HostileRule[] {
    return this.rules;
  }

  apply(method: string, envelope: Record<string, unknown>): Record<string, unknown> {
    return this.rules.length === 0 ? envelope : applyHostileData(method, envelope, this.rules);
  }
}
