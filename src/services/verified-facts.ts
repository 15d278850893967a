// The one place the service asks what verify-live settled about Qoo10 for a shop. A fact never checked, or
// checked without an answer, is 'unknown': every caller must then take the safe path (e.g. the refusal flow
// hands the request to a person to press キャンセル拒否 in QSM unless ship-confirm is confirmed to end requests).
import { FACT_STATEMENTS, QOO10_FACTS, type FactVerdict, type Qoo10Fact } from '../domain/qoo10-facts';
import type { Qoo10FactRepository } from '../persistence/qoo10-fact-repository';

export interface ShopFact {
  fact: Qoo10Fact;
  statement: string;
  verdict: FactVerdict;
  /** Null when verify-live never settled it for the shop. */
  evidence: string | null;
  checkedAt: Date | null;
}

export class VerifiedFacts {
  constructor(private readonly repository: Qoo10FactRepository) {}

  /** Every fact for the shop, in a fixed order, 'unknown' where nothing was settled. */
  async forShop(shopId: string): Promise<ShopFact[]> {
    const stored = new Map((await this.repository.factsOfShop(shopId)).map((f) => [f.fact, f]));
    return QOO10_FACTS.map((fact) => {
      const found = stored.get(fact);
      return {
        fact,
        statement: FACT_STATEMENTS[fact],
        verdict: found?.verdict ?? 'unknown',
        evidence: found?.evidence ?? null,
        checkedAt: found?.checkedAt ?? null,
      };
    });
  }

  async verdict(shopId: string, fact: Qoo10Fact): Promise<FactVerdict> {
    return (await this.repository.factsOfShop(shopId)).find((f) => f.fact === fact)?.verdict ?? 'unknown';
  }

  /** True only when verify-live saw ship-confirm end a pending request on this shop's account. */
  async shipConfirmEndsRequest(shopId: string): Promise<boolean> {
    return (await this.verdict(shopId, 'ship_confirm_ends_request')) === 'confirmed';
  }
}
