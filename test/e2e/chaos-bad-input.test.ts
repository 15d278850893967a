// The bad-input sweep inside `npm test`: hostile requests to every admin API input against a real
// daemon process (test/helpers/chaos-bad-input.ts). `npm run chaos` runs the same sweep.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../helpers/test-database';
import { badInputScenario, type CaseOutcome } from '../helpers/chaos-bad-input';

describe('bad input: hostile requests to every admin API input', () => {
  let outcomes: CaseOutcome[] = [];
  let processProblems: string[] = [];

  before(async () => {
    const result = await badInputScenario(await createTestDatabase());
    outcomes = result.outcomes;
    processProblems = result.violations.filter((v) => !outcomes.some((o) => v.startsWith(`${o.name}: `)));
  });

  test('the daemon answers every case, keeps answering /healthz and stops cleanly on SIGTERM', () => {
    assert.ok(outcomes.length >= 70, `only ${outcomes.length} cases ran`);
    assert.deepEqual(processProblems, []);
  });

  test('every case gets a clear 4xx JSON error with a code (or, for a valid shape, a per-row report), never a 5xx', () => {
    const problems = outcomes.filter((o) => o.problems.some((p) => !p.includes(' changed ') && !p.includes('write(s) to Qoo10'))).map((o) => `${o.name}: ${o.problems.join('; ')}`);
    assert.deepEqual(problems, []);
  });

  test('a refused request changes no row and no hostile input causes a write to Qoo10', () => {
    const problems = outcomes.filter((o) => o.problems.some((p) => p.includes(' changed ') || p.includes('write(s) to Qoo10'))).map((o) => `${o.name}: ${o.problems.join('; ')}`);
    assert.deepEqual(problems, []);
  });

  test('the sweep refuses with specific codes, not only generic ones', () => {
    const codes = new Set(outcomes.map((o) => o.code).filter((code): code is string => code !== null));
    for (const code of ['unauthorized', 'validation_failed', 'payload_too_large']) assert.ok(codes.has(code), `no case answered ${code}: ${[...codes].join(', ')}`);
  });
});
