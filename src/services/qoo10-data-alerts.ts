// Alerts for data the service could not use: a Qoo10 row in a shape it cannot read (or that the
// database refused), and a stored key that cannot be decrypted. Built on AlertService.raise; the texts
// never carry the row's values (buyer data), only the order number, the method and the field.
import type { Shop } from '../domain/types';
import { jstDateOf } from '../domain/jst-calendar';
import type { AlertService } from './alert-service';

export interface Qoo10DataFault {
  /** `Class.Method` whose answer held the row, or 'store' when the database refused it. */
  method: string;
  orderNo: string | null;
  /** Which field failed and why; never the field's value. */
  message: string;
}

/** Once per shop, method, order (or row position) and JST day: a row that stays bad is not re-mailed every poll. */
export async function alertQoo10DataFault(alerts: AlertService, shop: Shop, fault: Qoo10DataFault, now: Date): Promise<void> {
  const where = fault.orderNo ? `注文番号 ${fault.orderNo}` : '注文番号を読み取れない行';
  await alerts.raise({
    shopId: shop.id,
    kind: 'qoo10_data_fault',
    dedupeKey: `qoo10_data_fault:${shop.id}:${fault.method}:${fault.orderNo ?? fault.message}:${jstDateOf(now)}`,
    severity: 'warning',
    subject: `【確認】Qoo10のデータを読み取れませんでした（${where}）`,
    body: [
      `${shop.name} について、Qoo10から受け取った${where}のデータが想定外の形でした。`,
      'この注文は自動では処理せず、担当者の確認待ちにしています。ほかの注文とキャンセル要請はいつも通り処理しています。',
      `内容: ${fault.method} — ${fault.message}`,
      'QSMで注文の状態を確認し、必要なら手動で対応してください。',
    ].join('\n'),
    payload: { method: fault.method, orderNo: fault.orderNo, message: fault.message },
  });
}

/** The stored key cannot be decrypted (CREDENTIALS_SECRET changed): polling this shop is impossible until it is stored again. */
export async function alertKeyUndecryptable(alerts: AlertService, shop: Shop, now: Date): Promise<void> {
  await alerts.raise({
    shopId: shop.id,
    kind: 'key_undecryptable',
    dedupeKey: `key_undecryptable:${shop.id}:${jstDateOf(now)}`,
    severity: 'critical',
    subject: `【緊急】保存されたQoo10 APIキーを復号できません（${shop.name}）`,
    body: [
      `${shop.name} の保存済みQoo10販売者認証キーを復号できないため、キャンセル要請の取得と処理が止まっています。`,
      'CREDENTIALS_SECRET が保存時から変わった可能性があります。元の値に戻すか、次のコマンドでキーを保存し直してください:',
      `  cancel-guard shops set-key --shop ${shop.id}   （キーは標準入力から読み込みます）`,
    ].join('\n'),
    payload: { shopId: shop.id },
  });
}
