import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import { formatJst, jstDateOf } from '../domain/jst-calendar';
import type { ActionRecord } from '../persistence/action-repository';
import type { AlertRecord, AlertRepository, NewAlert } from '../persistence/alert-repository';

/**
 * Raises alerts: recorded once per dedupe key (restarts and several processes raise nothing twice),
 * always visible in the API; emailed when SMTP is configured (status 'pending' until sent).
 * Subjects and bodies are Japanese, for the seller.
 */
export class AlertService {
  constructor(
    private readonly alerts: AlertRepository,
    private readonly emailConfigured: boolean,
    private readonly logger: Logger,
  ) {}

  async raise(alert: NewAlert): Promise<AlertRecord | null> {
    const created = await this.alerts.raise(alert, this.emailConfigured ? 'pending' : 'not_configured');
    if (created) this.logger.warn({ shopId: alert.shopId, kind: alert.kind, dedupeKey: alert.dedupeKey }, 'alert raised');
    return created;
  }

  async actionRefused(shop: Shop, action: ActionRecord, failure: { code: string; message: string }, now: Date): Promise<void> {
    const what = action.kind === 'cancel' ? 'キャンセル処理' : '追跡番号の登録';
    await this.raise({
      shopId: shop.id,
      kind: 'action_refused',
      dedupeKey: `action_refused:${action.id}`,
      severity: 'critical',
      subject: `【要対応】Qoo10が${what}を受け付けませんでした（注文番号 ${action.orderNo}）`,
      body: [
        `${shop.name} の注文 ${action.orderNo} について、${what}がQoo10に受け付けられませんでした。`,
        `理由: ${failure.code}（${failure.message}）`,
        '注文の状態をQSMで確認し、手動で対応してください。',
        'QSM: 配送/キャンセル/未受取 → キャンセル要請 → 該当の注文',
        `発生時刻: ${formatJst(now)}（日本時間）`,
      ].join('\n'),
      payload: { actionId: action.id, orderNo: action.orderNo, code: failure.code },
    });
  }

  async keyProblem(shop: Shop, status: 'expired' | 'rejected'): Promise<void> {
    await this.raise({
      shopId: shop.id,
      kind: `key_${status}`,
      dedupeKey: `key_${status}:${shop.id}:${jstDateOf(new Date())}`,
      severity: 'critical',
      subject: status === 'expired' ? `【緊急】Qoo10 APIキーの有効期限が切れました（${shop.name}）` : `【緊急】Qoo10 APIキーが拒否されました（${shop.name}）`,
      body: [
        `${shop.name} のQoo10販売者認証キーが${status === 'expired' ? '期限切れ' : '無効'}のため、キャンセル要請の取得と処理が止まっています。`,
        'QSMのパスワードを変更した場合もキーは無効になります。新しいキーを発行して設定し直してください。',
      ].join('\n'),
      payload: { status },
    });
  }

  async trackingOverdue(shop: Shop, requestId: string, orderNo: string, deadline: Date): Promise<void> {
    await this.raise({
      shopId: shop.id,
      kind: 'tracking_overdue',
      dedupeKey: `tracking_overdue:${requestId}`,
      severity: 'critical',
      subject: `【至急】発送済み注文の追跡番号が未登録です（注文番号 ${orderNo}）`,
      body: [
        `${shop.name} の注文 ${orderNo} は発送済みとしてキャンセル要請を拒否すべき注文ですが、`,
        `${formatJst(deadline)}（日本時間）の締め時刻までに追跡番号がQoo10に登録されていません。`,
        '本日中に追跡番号を登録してください。登録されるまで購入者はキャンセルを求め続けられます。',
      ].join('\n'),
      payload: { requestId, orderNo, deadline: deadline.toISOString() },
    });
  }
}
