import type { DataSource } from 'typeorm';
import type { FactFinding, FactVerdict, Qoo10Fact } from '../domain/qoo10-facts';

export interface StoredFact extends FactFinding {
  checkedAt: Date;
  verificationId: string;
}

interface FactRow {
  fact: Qoo10Fact;
  verdict: FactVerdict;
  evidence: string;
  observed: Record<string, unknown> | null;
  checked_at: Date;
  verification_id: string;
}

/** verify-live's reports and the standing verdict per shop and fact (migration 20261201107000). */
export class Qoo10FactRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a run's report and its findings in one transaction. A finding replaces the standing verdict unless
   * it is 'unknown' and the standing one is not: not being able to tell today does not undo what was seen.
   */
  async recordVerification(
    shopId: string,
    ranAt: Date,
    mode: 'read_only' | 'guided',
    report: unknown,
    findings: readonly FactFinding[],
  ): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      const [{ id }]: Array<{ id: string }> = await manager.query(
        'INSERT INTO qoo10_verifications (shop_id, ran_at, mode, report) VALUES ($1, $2, $3, $4) RETURNING id::text AS id',
        [shopId, ranAt, mode, JSON.stringify(report)],
      );
      for (const f of findings) {
        await manager.query(
          `INSERT INTO qoo10_facts (shop_id, fact, verdict, evidence, observed, checked_at, verification_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (shop_id, fact) DO UPDATE SET
             verdict = EXCLUDED.verdict, evidence = EXCLUDED.evidence, observed = EXCLUDED.observed,
             checked_at = EXCLUDED.checked_at, verification_id = EXCLUDED.verification_id
           WHERE EXCLUDED.verdict <> 'unknown' OR qoo10_facts.verdict = 'unknown'`,
          [shopId, f.fact, f.verdict, f.evidence, f.observed === undefined ? null : JSON.stringify(f.observed), ranAt, id],
        );
      }
      return id;
    });
  }

  /** The standing verdicts of a shop (facts never checked are absent). */
  async factsOfShop(shopId: string): Promise<StoredFact[]> {
    const rows: FactRow[] = await this.dataSource.query(
      'SELECT fact, verdict, evidence, observed, checked_at, verification_id::text AS verification_id FROM qoo10_facts WHERE shop_id = $1 ORDER BY fact',
      [shopId],
    );
    return rows.map((row) => ({
      fact: row.fact,
      verdict: row.verdict,
      evidence: row.evidence,
      ...(row.observed === null ? {} : { observed: row.observed }),
      checkedAt: row.checked_at,
      verificationId: row.verification_id,
    }));
  }

  /** The latest run's stored report, or null when verify-live never ran for the shop. */
  async latestReport(shopId: string): Promise<{ ranAt: Date; mode: string; report: unknown } | null> {
    const rows: Array<{ ran_at: Date; mode: string; report: unknown }> = await this.dataSource.query(
      'SELECT ran_at, mode, report FROM qoo10_verifications WHERE shop_id = $1 ORDER BY ran_at DESC, id DESC LIMIT 1',
      [shopId],
    );
    return rows[0] ? { ranAt: rows[0].ran_at, mode: rows[0].mode, report: rows[0].report } : null;
  }
}
