import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { projectPath } from '../../config/paths';
import { NotFoundError } from '../../errors';
import type { ReviewItem } from '../../persistence/cancel-request-repository';
import { rateReportToJson } from '../../services/rate-report';
import type { ConnectionHealth, DashboardService, DashboardSummary, RefusalToday } from '../../services/dashboard-service';
import type { RateDay } from '../../services/rate-service';
import { DashboardQuery } from '../dto/cancel-request.dto';
import { presentJobRun, presentShop } from '../presenters';
import { validated } from '../validate';
import { qsmSteps, reviewReason } from '../../domain/review-tasks';
import { presentAlert } from './alert-routes';

/**
 * The page holds no data (every figure comes from /api with the admin token), so it is public. Its
 * scripts and styles are files of this origin only: no inline script, no third-party host.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  // The login form is handled in script; without it the browser must not send the token anywhere.
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Served from the source folder: tsc does not copy them, and the page needs no build step. */
export const DASHBOARD_DIR = projectPath('src/http/dashboard');

/** The charting library, served from its npm package at a fixed address. */
const VENDOR_FILES: Record<string, string> = {
  'uplot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  'uplot.min.css': 'uplot/dist/uPlot.min.css',
};

/** Public (non-/api) routes of the page, for the OpenAPI test's route inventory. */
export const DASHBOARD_PAGE_ROUTES = ['/', ...Object.keys(VENDOR_FILES).map((name) => `/assets/vendor/${name}`)];

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Content-Security-Policy': DASHBOARD_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });
  next();
}

/** GET / (the page) and /assets/* (its scripts, styles, translations and the charting library). */
export function dashboardPageRoutes(): Router {
  const router = Router();
  const vendor = Object.fromEntries(Object.entries(VENDOR_FILES).map(([name, module]) => [name, require.resolve(module)]));
  router.get('/', securityHeaders, (_req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.sendFile('index.html', { root: DASHBOARD_DIR });
  });
  for (const [name, file] of Object.entries(vendor)) {
    // A library version changes only with package.json, so browsers may keep it for a day.
    router.get(`/assets/vendor/${name}`, securityHeaders, (_req, res) => res.sendFile(file!, { maxAge: '1d' }));
  }
  router.use(
    '/assets',
    securityHeaders,
    // no-cache: revalidated on every load (a cheap 304), so an upgrade never runs a stale script.
    express.static(DASHBOARD_DIR, { index: false, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }),
    (req: Request, _res: Response, next: NextFunction) => next(new NotFoundError(`The file /assets${req.path}`)),
  );
  return router;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** What a person must do in QSM and by when, for items answered there (e.g. refuse_in_qsm). */
function qsmFields(item: ReviewItem): { qsmSteps?: string[]; deadline?: string | null; reasonJa?: string } {
  const code = item.decision?.code;
  if (!code) return {};
  const steps = qsmSteps(code, item.request.orderNo, item.request.packNo);
  return {
    reasonJa: reviewReason(code, item.decision?.reason).ja,
    ...(steps ? { qsmSteps: steps, deadline: iso(item.decision?.trackingDeadline ?? null) } : {}),
  };
}

/** A queue row without the rule trail (GET /api/cancel-requests/:id has it). */
function presentQueueItem(item: ReviewItem) {
  const decision = item.decision;
  return {
    ...qsmFields(item),
    id: item.request.id,
    orderNo: item.request.orderNo,
    packNo: item.request.packNo,
    requestedAt: iso(item.request.requestedAt),
    reason: item.request.reason,
    itemTitle: item.itemTitle,
    sellerItemCode: item.sellerItemCode,
    decision: decision
      ? {
          kind: decision.kind,
          code: decision.code,
          reason: decision.reason,
          suggested: decision.suggested,
          // What approving carries out; null means only an override can settle it.
          action: decision.kind === 'review' ? decision.suggested : decision.kind,
          trackingDeadline: iso(decision.trackingDeadline),
          createdAt: iso(decision.createdAt),
        }
      : null,
  };
}

function presentRefusal(refusal: RefusalToday) {
  return {
    requestId: refusal.requestId,
    orderNo: refusal.orderNo,
    packNo: refusal.packNo,
    status: refusal.status,
    decisionKind: refusal.decisionKind,
    decisionCode: refusal.decisionCode,
    decidedAt: iso(refusal.decidedAt),
    itemTitle: refusal.itemTitle,
    sellerItemCode: refusal.sellerItemCode,
    tracking: refusal.tracking,
    trackingDeadline: iso(refusal.trackingDeadline),
    trackingState: refusal.trackingState,
    overdue: refusal.overdue,
    lines: refusal.actions,
  };
}

function presentDay(day: RateDay) {
  return {
    date: day.date,
    future: day.future,
    orders: day.orders,
    countedCancels: day.countedCancels,
    excludedCancels: day.excludedCancels,
    cumulativeOrders: day.cumulativeOrders,
    cumulativeCounted: day.cumulativeCounted,
    allowance: day.allowance,
    status: day.status,
  };
}

function presentConnection(connection: ConnectionHealth) {
  return {
    lastPollAt: iso(connection.lastPollAt),
    lastPollAgeSeconds: connection.lastPollAgeSeconds,
    pollStale: connection.pollStale,
    lastRun: connection.lastRun ? presentJobRun(connection.lastRun) : null,
    keyStatus: connection.keyStatus,
    keyExpiresAt: iso(connection.keyExpiresAt),
    keyExpiryEstimated: connection.keyExpiryEstimated,
    keyDaysLeft: connection.keyDaysLeft,
    demo: connection.demo,
  };
}

export function presentDashboard(summary: DashboardSummary) {
  return {
    asOf: summary.asOf.toISOString(),
    shop: summary.shop ? presentShop(summary.shop) : null,
    shops: summary.shops.map((shop) => ({ id: shop.id, name: shop.name, isDemo: shop.isDemo })),
    rate: summary.rate ? rateReportToJson(summary.rate) : null,
    days: summary.days.map(presentDay),
    reviewQueue: summary.reviewQueue.map(presentQueueItem),
    refusalsToday: summary.refusalsToday.map(presentRefusal),
    alerts: summary.alerts.map(presentAlert),
    connection: summary.connection ? presentConnection(summary.connection) : null,
    qoo10Facts: summary.qoo10Facts.map((f) => ({ fact: f.fact, statement: f.statement, verdict: f.verdict, evidence: f.evidence, checkedAt: iso(f.checkedAt) })),
  };
}

/** GET /api/dashboard: everything the page's first screen shows, in one request. */
export function dashboardApiRoutes(dashboard: DashboardService): Router {
  const router = Router();
  router.get('/dashboard', async (req, res) => {
    const query = validated(DashboardQuery, req.query, 'query');
    const summary = await dashboard.summary(query.shopId);
    res.set('Cache-Control', 'no-store');
    res.json(presentDashboard(summary));
  });
  return router;
}
