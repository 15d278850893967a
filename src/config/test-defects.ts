// Test-only switches that turn on a known defect, so the chaos harness can prove that its checks fail
// when the product is wrong (`npm run chaos -- --self-test`). They are read from
// CANCEL_GUARD_TEST_DEFECTS by loadConfig and enabled once at start-up; production never sets it.
// Each name is checked at exactly one place in the product.

export const TEST_DEFECTS = [
  /** The rate report leaves some cancels out (rate code). */
  'drop_rate_cancels',
  /** A write whose outcome is unknown is sent again without reading the order first (action executor). */
  'resend_after_unknown',
  /** The last check before a cancel ignores the shop's own facts (handed over, packed, tracking known). */
  'skip_local_facts',
] as const;

export type TestDefect = (typeof TEST_DEFECTS)[number];

let active: ReadonlySet<TestDefect> = new Set();

export function enableTestDefects(defects: readonly TestDefect[]): void {
  active = new Set(defects);
}

export function testDefectOn(defect: TestDefect): boolean {
  return active.has(defect);
}
