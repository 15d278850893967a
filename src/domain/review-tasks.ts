// What a person sees for a request that waits for them: a reason in Japanese and English per review code,
// and, where the answer is given in QSM (Qoo10's seller screen), the exact steps. Qoo10 documents the refusal
// of a cancel request only as a QSM action (キャンセル拒否), so `refuse_in_qsm` items carry those steps and a
// same-day deadline. Pure: the words only; the facts (order, cart, deadline) are parameters.

/** Where cancel requests are answered in QSM (qoo10-api.md). */
export const QSM_CANCEL_REQUESTS = '配送/キャンセル/未受取 → キャンセル要請';

export interface ReviewReason {
  ja: string;
  en: string;
}

const REASONS: Record<string, ReviewReason> = {
  refuse_in_qsm: {
    ja: 'キャンセル拒否はQSMでのみ行えます。本日の締め時刻までにQSMでキャンセル拒否を押し、当日中に発送してください。',
    en: 'A cancel request can only be refused in QSM: press キャンセル拒否 there before today’s cut-off and ship the same day.',
  },
  local_facts_say_shipped: {
    ja: 'ショップの記録では荷物が出荷済み（または梱包済み・追跡番号あり）のため、キャンセルを送りませんでした。QSMでキャンセル拒否し、追跡番号を本日中に登録してください。',
    en: 'The shop’s own records say the parcel may have left (handed over, packed or a tracking number known), so no cancel was sent. Refuse it in QSM and register the tracking number today.',
  },
  stock_unknown: {
    ja: 'この商品の在庫数が登録されていないため、在庫切れかどうか判断できません。在庫を確認してから対応してください。',
    en: 'No stock figure is held for this item, so a stock-out cannot be ruled out; check stock, then answer.',
  },
  out_of_stock: {
    ja: '在庫が足りないため、販売店都合（在庫切れ）でのキャンセルが必要です。購入者都合にはできません。',
    en: 'Not enough stock: this must be cancelled as the shop’s fault (out of stock), never as the buyer’s reason.',
  },
  shop_fault: {
    ja: 'ショップ側の事情（販売店都合）として登録されているため、販売店都合でのキャンセルが必要です。',
    en: 'The shop declared its own fault: cancel as the shop’s fault.',
  },
  shipping_delay: {
    ja: '発送期限を過ぎているため、販売店都合（配送遅延）でのキャンセルになります。',
    en: 'The shipping deadline has passed: the cancel is the shop’s fault (shipping delay).',
  },
  shipped_without_tracking: {
    ja: '出荷済みですが追跡番号がまだ分かりません。本日中に追跡番号を登録し、キャンセル要請を拒否してください。',
    en: 'The parcel left but its tracking number is not known yet: enter it today and refuse the request.',
  },
  packed_policy_review: {
    ja: '梱包済み（未出荷）の注文です。ショップの設定により、受けるか拒否するかを担当者が判断します。',
    en: 'The order is packed but not shipped; the shop’s policy asks a person to decide.',
  },
  tracking_conflict: {
    ja: 'ショップ・Qoo10・キャンセル要請で追跡番号が一致しません。正しい番号を確認してから対応してください。',
    en: 'The shop, Qoo10 and the request disagree on the tracking number; find the right one first.',
  },
  order_missing: {
    ja: 'この注文のデータがまだありません。QSMで注文を確認してください。',
    en: 'No order data is held for this request yet; check the order in QSM.',
  },
  order_not_found_on_qoo10: {
    ja: 'Qoo10がこの注文を返さなくなりました。QSMで確認してください。',
    en: 'Qoo10 no longer returns this order; check it in QSM.',
  },
  qoo10_refused_action: {
    ja: 'Qoo10が処理を受け付けませんでした。注文の状態をQSMで確認し、手動で対応してください。',
    en: 'Qoo10 did not accept the action; check the order and answer in QSM.',
  },
  order_shipped_before_action: {
    ja: '処理の直前に注文が出荷されたため、キャンセルは送っていません。QSMでキャンセル拒否してください。',
    en: 'The order shipped right before the action, so no cancel was sent; refuse it in QSM.',
  },
  fresh_read_unreadable: {
    ja: 'Qoo10から届いた注文の最新情報を読み取れなかったため、何も送っていません。QSMで注文の状態を確認して対応してください。',
    en: 'Qoo10’s fresh read of the order could not be read, so nothing was sent; check the order in QSM and answer there.',
  },
  pending_state_conflict: {
    ja: 'Qoo10の一覧ではキャンセル要請中なのに、注文の最新情報では要請がありません。QSMで確認してください。',
    en: 'Qoo10’s request list shows the request pending, but the fresh read of the order does not; check it in QSM.',
  },
  qoo10_data_unreadable: {
    ja: 'Qoo10から届いたこの要請のデータを読み取れませんでした。QSMで内容を確認して対応してください。',
    en: 'The data Qoo10 sent for this request could not be read; check it in QSM.',
  },
  shipping_status_unknown: {
    ja: '配送状態が不明です。QSMで注文の状態を確認してください。',
    en: 'The shipping state is unknown; check the order in QSM.',
  },
};

const FALLBACK: ReviewReason = {
  ja: 'ルールで判断できない項目です。内容を確認して対応してください。',
  en: 'The rules cannot settle this request; check it and answer.',
};

/** The reason for a review code in both languages; the English text of the decision itself wins when given. */
export function reviewReason(code: string, englishReason?: string | null): ReviewReason {
  const known = REASONS[code] ?? FALLBACK;
  return { ja: known.ja, en: englishReason && englishReason.trim() !== '' ? englishReason : known.en };
}

/** Review codes whose answer is given in QSM, so the item shows the steps. */
const QSM_CODES = new Set(['refuse_in_qsm', 'local_facts_say_shipped', 'fresh_read_unreadable', 'pending_state_conflict', 'qoo10_data_unreadable', 'qoo10_refused_action', 'order_shipped_before_action', 'shipped_without_tracking']);

/** The exact QSM steps for an item, or null when the item is not answered in QSM. */
export function qsmSteps(code: string, orderNo: string, packNo: string | null): string[] | null {
  if (!QSM_CODES.has(code)) return null;
  const cart = packNo && packNo !== orderNo ? `（カート番号 ${packNo}）` : '';
  const steps = [
    'QSMにログインする',
    `${QSM_CANCEL_REQUESTS} を開く`,
    `注文番号 ${orderNo}${cart} を検索して開く`,
  ];
  if (['qoo10_refused_action', 'fresh_read_unreadable', 'pending_state_conflict', 'qoo10_data_unreadable'].includes(code)) return [...steps, '注文の状態を確認し、受けるか拒否するかを選ぶ'];
  return [...steps, '「キャンセル拒否」を押す（発送済み・梱包済み・受注生産のときだけ拒否できます）', '当日中に発送し、追跡番号を登録する'];
}

/** Why Qoo10 no longer shows a cancel request pending, read from a fresh read's claim status. */
export interface EndedOnQoo10 {
  /** The request's outcome when it leaves the queue. */
  outcome: 'cancelled_on_qoo10' | 'turned_into_return' | 'no_longer_pending';
  reason: ReviewReason;
}

/**
 * What a fresh read's claim status says about a request that waited for a person: null while it is still
 * pending (ClaimStat 1), else why it ended. ClaimStat codes: qoo10-api.md (2/3 cancelling/cancelled, 4–6 returns).
 */
export function endedOnQoo10(claimStatus: number | null): EndedOnQoo10 | null {
  if (claimStatus === 1) return null;
  if (claimStatus === 2 || claimStatus === 3) {
    return {
      outcome: 'cancelled_on_qoo10',
      reason: { ja: 'Qoo10上でキャンセル済みになったため、対応待ちから外しました。', en: 'Qoo10 shows the order cancelled, so it left the queue.' },
    };
  }
  if (claimStatus === 4 || claimStatus === 5 || claimStatus === 6) {
    return {
      outcome: 'turned_into_return',
      reason: { ja: 'キャンセル要請が返品要請に変わったため、対応待ちから外しました。', en: 'The request turned into a return request, so it left the queue.' },
    };
  }
  return {
    outcome: 'no_longer_pending',
    reason: {
      ja: 'Qoo10上でキャンセル要請が表示されなくなりました（購入者の取り下げ、またはQSMでの拒否など）。対応待ちから外しました。',
      en: 'Qoo10 no longer shows the cancel request (withdrawn by the buyer, or refused in QSM), so it left the queue.',
    },
  };
}
