import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import { formatJst, jstDateOf } from '../domain/jst-calendar';
import { QSM_CANCEL_REQUESTS } from '../domain/review-tasks';
import type { ActionRecord } from '../persistence/action-repository';
import type { AlertRecord, AlertRepository, NewAlert } from '../persistence/alert-repository';
import { POLL_JOB } from '../domain/job-names';

const DAY_MS = 86_400_000;

/**
 * INF: Qoo10 does not report a key's expiry through the API. When key_expires_at is unknown the key
 * is assumed to last 365 days from key_obtained_at (seller keys are renewed yearly in QSM); an
 * early warning costs nothing, a key that dies unnoticed stops every cancel answer.
 */
export const ASSUMED_KEY_LIFETIME_DAYS = 365;

export interface HealthAlertSettings {
  /** No successful poll of a shop for this many minutes raises an alert (POLL_STALE_MINUTES). */
  pollStaleMinutes: number;
  /** Warn this many days before a key expires. */
  keyExpiryWarningDays: number;
}

const DEFAULT_HEALTH_SETTINGS: HealthAlertSettings = { pollStaleMinutes: 30, keyExpiryWarningDays: 30 };

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
    private readonly health: HealthAlertSettings = DEFAULT_HEALTH_SETTINGS,
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

  /**
   * A refusal that only a person can finish in QSM (キャンセル拒否) is still pending on Qoo10. Raised once per
   * level: 'afternoon' (15:00 JST on the deadline day) and 'cutoff' (the same-day deadline passed).
   */
  async refuseInQsmDue(shop: Shop, requestId: string, orderNo: string, level: 'afternoon' | 'cutoff', deadline: Date): Promise<void> {
    const late = level === 'cutoff';
    await this.raise({
      shopId: shop.id,
      kind: 'refuse_in_qsm',
      dedupeKey: `refuse_in_qsm:${requestId}:${level}`,
      severity: late ? 'critical' : 'warning',
      subject: late
        ? `【至急】締め時刻を過ぎました：QSMでのキャンセル拒否が未完了です（注文番号 ${orderNo}）`
        : `【要対応】本日中にQSMでキャンセル拒否をしてください（注文番号 ${orderNo}）`,
      body: [
        `${shop.name} の注文 ${orderNo} のキャンセル要請は、Qoo10上でまだ「キャンセル要請」のままです。`,
        `QSMの ${QSM_CANCEL_REQUESTS} で注文を開き、「キャンセル拒否」を押してください。`,
        `期限: ${formatJst(deadline)}（日本時間）${late ? ' — すでに過ぎています。' : ''}`,
        'Qoo10上で要請が消えたことを次の取得で確認すると、このタスクは自動で閉じます。',
      ].join('\n'),
      payload: { requestId, orderNo, level, deadline: deadline.toISOString() },
    });
  }

  /**
   * A call-first buyer (gift, high value): phone before writing. Raised once when the draft is made,
   * and once more (`escalation`) when nobody has reached the buyer after the set time. The buyer's
   * phone is in the alert because calling is the point; it is never logged.
   */
  async callFirst(
    shop: Shop,
    c: { messageId: string; requestId: string; orderNo: string; reasons: string[]; cartTotalYen: number | null; phone: string | null; outline: string[] },
    escalation: { unsentHours: number } | null,
  ): Promise<AlertRecord | null> {
    const why = c.reasons.map((r) => (r === 'gift' ? 'ギフト' : r === 'high_value' ? '高額' : r)).join('・');
    const total = c.cartTotalYen === null ? '' : `（カート合計 ${c.cartTotalYen.toLocaleString('ja-JP')}円）`;
    return this.raise({
      shopId: shop.id,
      kind: escalation ? 'call_first_unsent' : 'call_first',
      dedupeKey: `${escalation ? 'call_first_unsent' : 'call_first'}:${c.messageId}`,
      severity: escalation ? 'critical' : 'warning',
      subject: escalation
        ? `【至急】お電話が必要なお客様にまだ連絡できていません（注文番号 ${c.orderNo}・${escalation.unsentHours}時間経過）`
        : `【要電話】${why}のご注文です。メッセージの前にお電話をお願いします（注文番号 ${c.orderNo}）`,
      body: [
        `${shop.name} の注文 ${c.orderNo} は${why}のご注文${total}のため、文面の前にお電話でのご連絡をおすすめします。`,
        c.phone ? `お客様の電話番号: ${c.phone}` : '電話番号はQoo10から届いていません。QSMの注文詳細でご確認ください。',
        ...(escalation ? [`下書きを作成してから ${escalation.unsentHours} 時間、送信済みの記録も電話の記録もありません。本日中にご連絡ください。`] : []),
        'お電話で話すこと:',
        ...c.outline.map((point) => `・${point}`),
        'お電話の後は、ダッシュボードで通話の要約を書面にして送り、「送信済みにする」を押してください。',
      ].join('\n'),
      payload: { messageId: c.messageId, requestId: c.requestId, orderNo: c.orderNo, reasons: c.reasons, escalation: escalation !== null },
    });
  }

  /**
   * The checks the scheduler runs every cycle: keys about to expire, shops whose polls stopped
   * succeeding. Each situation is raised once (its dedupe key names the expiry date or the last
   * success), so calling this every two minutes sends one email, not hundreds. Returns what was raised.
   */
  async checkHealthAlerts(now: Date): Promise<AlertRecord[]> {
    const raised: AlertRecord[] = [];
    for (const key of await this.alerts.findShopKeyDates()) {
      const alert = await this.keyExpiring(key, now);
      if (alert) raised.push(alert);
    }
    for (const activity of await this.alerts.findPollActivity(POLL_JOB)) {
      const alert = await this.pollStale(activity, now);
      if (alert) raised.push(alert);
    }
    return raised;
  }

  private async keyExpiring(
    key: { shopId: string; shopName: string; keyObtainedAt: Date | null; keyExpiresAt: Date | null },
    now: Date,
  ): Promise<AlertRecord | null> {
    const estimated = key.keyExpiresAt === null;
    const expiresAt =
      key.keyExpiresAt ?? (key.keyObtainedAt ? new Date(key.keyObtainedAt.getTime() + ASSUMED_KEY_LIFETIME_DAYS * DAY_MS) : null);
    if (!expiresAt || expiresAt.getTime() - now.getTime() > this.health.keyExpiryWarningDays * DAY_MS) return null;
    const daysLeft = Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS));
    const when = `${formatJst(expiresAt)}（日本時間）${estimated ? '頃（取得日から1年として推定）' : ''}`;
    return this.raise({
      shopId: key.shopId,
      kind: 'key_expiring',
      // One alert per expiry date: a renewed key with a new date warns again next year.
      dedupeKey: `key_expiring:${key.shopId}:${jstDateOf(expiresAt)}`,
      severity: 'warning',
      subject: `【予告】Qoo10 APIキーの有効期限が近づいています（${key.shopName}・あと${daysLeft}日）`,
      body: [
        `${key.shopName} のQoo10販売者認証キーの有効期限は ${when} です。`,
        '期限が切れると、キャンセル要請の取得・承認・拒否と追跡番号の登録がすべて止まります。',
        'QSMで新しいキーを発行し、期限より前に設定を更新してください。',
      ].join('\n'),
      payload: { expiresAt: expiresAt.toISOString(), estimated, daysLeft },
    });
  }

  private async pollStale(
    activity: { shopId: string; shopName: string; lastSuccessAt: Date | null; firstRunAt: Date | null },
    now: Date,
  ): Promise<AlertRecord | null> {
    // Never succeeded: measured from the first attempt; never attempted: the scheduler has not run yet.
    const since = activity.lastSuccessAt ?? activity.firstRunAt;
    if (!since || now.getTime() - since.getTime() < this.health.pollStaleMinutes * 60_000) return null;
    const minutes = Math.floor((now.getTime() - since.getTime()) / 60_000);
    const last = activity.lastSuccessAt ? `${formatJst(activity.lastSuccessAt)}（日本時間）` : 'まだ一度もありません';
    return this.raise({
      shopId: activity.shopId,
      kind: 'poll_stale',
      // One alert per outage: the key names the last success, which changes once polling recovers.
      dedupeKey: `poll_stale:${activity.shopId}:${activity.lastSuccessAt ? activity.lastSuccessAt.toISOString() : 'never'}`,
      severity: 'critical',
      subject: `【要確認】Qoo10からのキャンセル要請の取得が${minutes}分間成功していません（${activity.shopName}）`,
      body: [
        `${activity.shopName} のキャンセル要請の取得（ポーリング）が ${minutes} 分間成功していません。最後に成功したのは ${last}。`,
        'この間に届いたキャンセル要請は自動で処理されません。6時間以内の承認や発送済み注文の拒否が間に合わなくなります。',
        'ダッシュボードの実行履歴でエラー内容を確認し、APIキーとネットワークの状態を点検してください。必要ならQSMで直接対応してください。',
      ].join('\n'),
      payload: { lastSuccessAt: activity.lastSuccessAt?.toISOString() ?? null, minutes },
    });
  }
}
