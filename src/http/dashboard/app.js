// The dashboard's overview: login, one GET /api/dashboard per load, the warnings at the top, the rate
// card, the review queue (with QSM steps, confirmations and the QSM undo), today's refusals, alerts
// and the connection. The other tabs (requests, tracking, stock) live in work.js. The admin token
// lives in sessionStorage (this tab only); a 401 brings the login form back.
'use strict';

(function () {
  const CG = window.CancelGuard;
  const { $, t, has, h, fill, count, pct, pctShort, jst, jstDate, badge, api, errorText, toast, confirmDialog, cardTable } = CG;
  const SHOP_KEY = 'cancel-guard.shop';
  /** Requests marked "handled in QSM" from this tab: they can be undone until the shop's next poll. */
  const HANDLED_KEY = 'cancel-guard.handled';
  const REFRESH_MS = 60_000;
  const TABS = ['overview', 'requests', 'tracking', 'stock'];

  let summary = null;
  let loading = false;

  const reasonText = (decision) => {
    if (CG.state.lang !== 'ja') return decision.reason;
    return has(`reason.${decision.code}`) ? t(`reason.${decision.code}`) : decision.reason;
  };
  const codeText = (decision) => (CG.state.lang === 'ja' && has(`code.${decision.code}`) ? t(`code.${decision.code}`) : decision.code);

  function showLogin(message) {
    sessionStorage.removeItem(CG.TOKEN_KEY);
    summary = null;
    $('dashboard').hidden = true;
    for (const id of ['logout', 'refresh', 'tabs']) $(id).hidden = true;
    $('shop-select-wrap').hidden = true;
    $('shop-name').textContent = '';
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token').value = '';
    $('token').focus();
  }
  CG.state.onUnauthorized = () => showLogin(t('login.expired'));

  // ---- loading ---------------------------------------------------------------------------------
  async function load() {
    if (!CG.token() || loading) return;
    loading = true;
    const shopId = sessionStorage.getItem(SHOP_KEY);
    try {
      summary = await api(`/api/dashboard${shopId ? `?shopId=${encodeURIComponent(shopId)}` : ''}`);
      CG.summary = summary;
      $('login').hidden = true;
      $('dashboard').hidden = false;
      $('load-error').hidden = true;
      for (const id of ['logout', 'refresh', 'tabs']) $(id).hidden = false;
      render();
      document.dispatchEvent(new CustomEvent('cg:loaded'));
      if (!performance.getEntriesByName('cg:data-rendered').length) performance.mark('cg:data-rendered');
    } catch (error) {
      if (error.status === 404 && shopId) {
        sessionStorage.removeItem(SHOP_KEY);
        loading = false;
        return load();
      }
      if (error.status !== 401) {
        $('dashboard').hidden = false;
        $('load-error').hidden = false;
        $('load-error').textContent = t('load.failed', { message: errorText(error) });
      }
    } finally {
      loading = false;
    }
  }
  CG.reload = load;

  // ---- rendering -------------------------------------------------------------------------------
  function render() {
    document.documentElement.lang = CG.state.lang;
    document.title = t('title');
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    showTab(currentTab());
    if (!summary) return;
    renderHeader();
    const empty = !summary.shop;
    $('no-shop').hidden = !empty;
    for (const id of ['rate', 'quarter', 'review', 'refusals', 'alerts', 'health']) $(id).hidden = empty;
    renderWarnings();
    if (empty) return;
    renderRate();
    renderQuarter();
    renderReview();
    renderRefusals();
    renderAlerts();
    renderHealth();
    $('footer').textContent = t('footer.asOf', { time: jst(summary.asOf) });
    document.dispatchEvent(new CustomEvent('cg:rendered'));
  }
  CG.render = render;

  function renderHeader() {
    const shop = summary.shop;
    fill($('shop-name'), ...(shop ? [h('span', { class: 'shop-title' }, shop.name), shop.isDemo ? badge('demo', t('demo')) : ''] : []));
    const select = $('shop-select');
    $('shop-select-wrap').hidden = summary.shops.length < 2;
    select.replaceChildren(...summary.shops.map((s) => h('option', { value: s.id, selected: shop && s.id === shop.id }, s.name)));
  }

  /** Red, at the top, for what stops the service from protecting the shop. */
  function renderWarnings() {
    const c = summary.connection;
    const warnings = [];
    if (c) {
      if (c.keyStatus === 'rejected') warnings.push(t('warn.keyRejected'));
      if (c.keyStatus === 'expired') warnings.push(t('warn.keyExpired'));
      if (c.pollStale) warnings.push(c.lastPollAt ? t('warn.pollStale', { time: jst(c.lastPollAt) }) : t('warn.neverPolled'));
      if (c.lastRun && c.lastRun.status === 'failed') warnings.push(t('warn.lastRunFailed', { time: jst(c.lastRun.startedAt) }));
    }
    fill($('warnings'), ...warnings.map((text) => h('p', { class: 'banner error', role: 'alert' }, text)));
  }

  function stat(label, value, note, cls) {
    return h('div', { class: `stat ${cls || ''}` }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), note ? h('div', { class: 'stat-note' }, note) : null);
  }

  /**
   * The rate's status as shown: never 'ok' (green) when there is no rate to judge, e.g. no orders yet
   * this month or no figures from Qoo10.
   */
  const shownStatus = (rate) => (rate && rate.rateDefined ? rate.status : 'unknown');

  /**
   * The rate card is a list of blocks (head, figures, hints, chart, definition); a new figure (the
   * quarter, the penalty tier) is one more entry in RATE_BLOCKS.
   */
  const RATE_BLOCKS = [
    (rate, limit) => {
      const status = shownStatus(rate);
      return h(
        'div',
        { class: 'rate-head' },
        h('div', {}, h('h2', {}, t('rate.heading')), h('div', { class: 'muted' }, t('rate.month', { month: rate.month }))),
        h(
          'div',
          { class: `rate-big status-${status}` },
          h('span', { class: 'rate-value', id: 'rate-value' }, rate.rateDefined ? pct(rate.rate) : '—'),
          badge(`status-${status}`, t(`status.${status}`)),
          h('span', { class: 'muted' }, t('rate.limitLine', { limit })),
        ),
      );
    },
    (rate, limit) => {
      const status = shownStatus(rate);
      return h(
        'div',
        { class: 'stats' },
        stat(t('rate.counted'), t('unit.count', { n: count(rate.countedCancels) })),
        stat(t('rate.orders'), t('unit.count', { n: count(rate.orders) }), rate.rateDefined ? null : t('rate.noOrders')),
        stat(t('rate.excluded', { hours: rate.definition.exclusionHours }), t('unit.count', { n: count(rate.excludedCancels) })),
        stat(t('rate.headroom'), rate.rateDefined ? t('unit.count', { n: count(rate.headroom) }) : '—', t('rate.headroomNote', { limit }), `status-${status}`),
        stat(t('rate.projected'), rate.rateDefined ? pct(rate.projectedRate) : '—', t('rate.projectedNote', { n: count(rate.headroomAtMonthEnd) })),
        stat(t('rate.ifAccepted'), rate.rateDefined ? pct(rate.pending.ifAllAccepted.rate) : '—', t('rate.ifAcceptedNote', { n: rate.pending.ifAllAccepted.addedCountedCancels })),
      );
    },
    (rate) =>
      rate.pending.insideExclusionWindow > 0 ? h('p', { class: 'hint' }, t('rate.pendingWindow', { hours: rate.definition.exclusionHours, n: rate.pending.insideExclusionWindow })) : null,
    () => h('div', { class: 'chart', id: 'chart' }),
    (_rate, limit) => h('p', { class: 'caption' }, t('chart.caption', { limit })),
    (rate, limit) =>
      h(
        'details',
        { class: 'definition' },
        h('summary', {}, t('rate.definition')),
        h('p', {}, CG.state.lang === 'ja' ? `${t('rate.definitionText', { limit, hours: rate.definition.exclusionHours, denominator: t(`denominator.${rate.definition.denominator}`) })}${t(`countingUnit.${rate.definition.countingUnit}`)}` : rate.definition.text),
      ),
  ];

  function renderRate() {
    const rate = summary.rate;
    const limit = pctShort(rate.limit);
    fill($('rate'), ...RATE_BLOCKS.map((block) => block(rate, limit)).filter(Boolean));
    window.CancelGuardChart.render($('chart'), rate, summary.days, t);
  }

  // ---- review queue ----------------------------------------------------------------------------
  function handledMarks() {
    try {
      return JSON.parse(sessionStorage.getItem(HANDLED_KEY) || '[]');
    } catch {
      return [];
    }
  }
  function saveHandledMarks(marks) {
    sessionStorage.setItem(HANDLED_KEY, JSON.stringify(marks));
  }
  /** Marks stay undoable until a poll finishes after them (the server refuses an undo after a poll starts). */
  function liveHandledMarks() {
    const lastPoll = summary.connection && summary.connection.lastRun ? Date.parse(summary.connection.lastRun.startedAt) : 0;
    const marks = handledMarks().filter((m) => m.shopId === summary.shop.id && Date.parse(m.at) > lastPoll);
    return marks;
  }

  /** QSM steps and deadline of an item, when the server gives them (e.g. a refusal made in QSM). */
  function qsmBlock(item) {
    const steps = item.qsmSteps || (item.decision && item.decision.qsmSteps);
    const deadline = item.deadline || (item.decision && item.decision.deadline);
    if (!steps && !deadline) return null;
    const stepText = (step) => (typeof step === 'string' ? step : step.text || step.label || JSON.stringify(step));
    return h(
      'div',
      { class: 'qsm' },
      h('div', { class: 'qsm-head' }, t('review.qsmHeading')),
      deadline ? h('div', { class: 'warn qsm-deadline' }, t('review.qsmDeadline', { time: jst(deadline) })) : null,
      Array.isArray(steps) && steps.length > 0 ? h('ol', { class: 'qsm-steps' }, steps.map((step) => h('li', {}, stepText(step)))) : null,
    );
  }

  // The quarter Qoo10 counts on 1/1, 4/1, 7/1 and 10/1, the penalty tier and the seller-fault figure.
  function renderQuarter() {
    const rate = summary.rate;
    const q = rate.quarter;
    const tier = (name) => badge(`tier-${name}`, t(`tier.${name}`));
    const head = h(
      'div',
      { class: 'rate-head' },
      h('div', {}, h('h2', {}, t('quarter.heading')), h('div', { class: 'muted' }, t('quarter.period', { period: q.period, end: jstDate(q.periodEnd) }))),
      h('div', { class: 'rate-big' }, h('span', { class: 'rate-value', id: 'quarter-value' }, q.rateDefined ? pct(q.rate) : '—'), tier(q.tier)),
    );
    const stats = h(
      'div',
      { class: 'stats' },
      stat(t('quarter.tierNow'), tier(rate.penaltyTier), t('quarter.tierNowNote')),
      stat(t('quarter.projected'), pct(q.projectedRate), t('quarter.heading_to', { tier: t(`tier.${q.projectedTier}`) })),
      stat(t('rate.counted'), t('unit.count', { n: count(q.countedCancels) }), t('quarter.countedNote', { excluded: count(q.excludedCancels), orders: count(q.orders) })),
      stat(t('quarter.headroom'), `${count(q.headroom10)} / ${count(q.headroom15)}`, t('quarter.headroomNote')),
      stat(t('quarter.previous'), pct(q.previous.rate), `${q.previous.period} · ${t(`tier.${q.previous.tier}`)}`, q.twoQuartersRisk ? 'status-over' : ''),
      stat(t('quarter.sellerFault'), pct(rate.sellerFaultRate), t('quarter.sellerFaultNote', { quarter: pct(q.sellerFaultRate) })),
    );
    const notes = [
      q.twoQuartersRisk ? h('p', { class: 'hint warn' }, t('quarter.twoInARow')) : null,
      q.smallShop ? h('p', { class: 'hint' }, t('quarter.smallShop')) : null,
    ];
    $('quarter').replaceChildren(...[head, stats, ...notes].filter(Boolean));
  }

  function renderReview() {
    const items = summary.reviewQueue;
    const heading = h('h2', {}, t('review.heading'), ' ', h('span', { class: 'count' }, String(items.length)));
    const marks = liveHandledMarks();
    const undoList = marks.length
      ? h(
          'ul',
          { class: 'undo-list' },
          marks.map((m) =>
            h('li', { 'data-request-id': m.id }, t('review.handledMark', { orderNo: m.orderNo }), ' ', h('button', { type: 'button', class: 'ghost undo', onclick: (event) => undoHandled(m, event.currentTarget) }, t('review.undo'))),
          ),
        )
      : null;
    if (items.length === 0) return fill($('review'), heading, undoList || '', h('p', { class: 'empty' }, t('review.empty')));
    const columns = ['review.order', 'review.item', 'review.requested', 'review.why', 'review.suggestion', 'review.actions'].map((key) => t(key));
    const rows = items.map((item) => {
      const decision = item.decision;
      const action = decision && decision.action;
      const why = decision
        ? [
            h('div', { class: 'why-code' }, codeText(decision)),
            h('div', { class: 'why-reason' }, reasonText(decision)),
            decision.trackingDeadline ? h('div', { class: 'warn' }, t('review.deadline', { time: jst(decision.trackingDeadline) })) : null,
            qsmBlock(item),
          ]
        : ['—', qsmBlock(item)];
      return h(
        'tr',
        { 'data-request-id': item.id },
        h('td', { class: 'mono' }, item.orderNo),
        h('td', {}, h('div', {}, item.itemTitle || '—'), h('div', { class: 'muted mono' }, item.sellerItemCode || '')),
        h('td', { class: 'nowrap' }, jst(item.requestedAt)),
        h('td', { class: 'why' }, why),
        h('td', {}, action ? badge(`kind-${action}`, t(`kind.${action}`)) : h('span', { class: 'muted' }, t('review.noSuggestion'))),
        h(
          'td',
          {},
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'primary approve', disabled: !action, onclick: (event) => approve(item, event.currentTarget) }, t('review.approve')),
            h('button', { type: 'button', class: 'ghost override', onclick: (event) => openOverride(event.target.closest('tr'), item) }, t('review.override')),
            // A refusal without a number to submit (made to order, packed) is answered in QSM by hand.
            action === 'refuse' || !action ? h('button', { type: 'button', class: 'ghost handled', onclick: (event) => markHandled(item, event.currentTarget) }, t('review.handled')) : null,
          ),
        ),
      );
    });
    fill($('review'), heading, undoList || '', cardTable('review-table', columns, rows));
  }

  /** What a seller-fault cancel does to the rate, for the confirmation (month, and quarter when known). */
  function sellerFaultEffect(item) {
    const rate = summary.rate;
    const lines = [];
    const inWindow = rate.pending.inWindow.find((p) => String(p.requestId) === String(item.id));
    if (inWindow) {
      lines.push(t('confirm.sellerFault.window', { hours: rate.definition.exclusionHours, time: jst(inWindow.deadline) }));
      return lines;
    }
    const after = (counted, orders) => (orders > 0 ? pct((counted + 1) / orders) : '—');
    lines.push(
      h(
        'p',
        { class: 'effect', 'data-effect': 'month' },
        t('confirm.sellerFault.month', { before: rate.rateDefined ? pct(rate.rate) : '—', after: after(rate.countedCancels, rate.orders), headroom: Math.max(0, rate.headroom - 1) }),
      ),
    );
    const quarter = summary.quarter || rate.quarter;
    if (quarter && typeof quarter.countedCancels === 'number' && typeof quarter.orders === 'number') {
      lines.push(
        h('p', { class: 'effect', 'data-effect': 'quarter' }, t('confirm.sellerFault.quarter', { before: quarter.orders > 0 ? pct(quarter.countedCancels / quarter.orders) : '—', after: after(quarter.countedCancels, quarter.orders) })),
      );
    }
    return lines;
  }

  async function confirmKind(item, kind) {
    if (kind !== 'seller-fault') return true;
    return confirmDialog({
      title: t('confirm.sellerFault.title', { orderNo: item.orderNo }),
      lines: [...sellerFaultEffect(item), t('confirm.sellerFault.final')],
      ok: t('confirm.sellerFault.ok'),
      danger: true,
    });
  }

  async function approve(item, button) {
    if (!(await confirmKind(item, item.decision && item.decision.action))) return;
    await send(item, 'approve', {}, button);
  }

  async function send(item, path, body, button) {
    button.disabled = true;
    try {
      await api(`/api/cancel-requests/${encodeURIComponent(item.id)}/${path}`, { method: 'POST', body: { person: 'dashboard', ...body } });
      toast(t('review.done', { orderNo: item.orderNo }));
      await load();
      return true;
    } catch (error) {
      button.disabled = false;
      if (error.status !== 401) toast(`${item.orderNo}: ${errorText(error)}`, true);
      return false;
    }
  }

  async function markHandled(item, button) {
    const sure = await confirmDialog({ title: t('confirm.handled.title', { orderNo: item.orderNo }), lines: [t('confirm.handled.body')], ok: t('confirm.handled.ok') });
    if (!sure) return;
    const at = new Date().toISOString();
    const mark = { id: item.id, orderNo: item.orderNo, shopId: summary.shop.id, at };
    saveHandledMarks([...handledMarks().filter((m) => m.id !== item.id), mark]);
    const ok = await send(item, 'handled', {}, button);
    if (!ok) saveHandledMarks(handledMarks().filter((m) => m.id !== item.id));
    else toast(t('review.handledToast', { orderNo: item.orderNo }), false, { label: t('review.undo'), run: () => undoHandled(mark, null) });
  }

  async function undoHandled(mark, button) {
    if (button) button.disabled = true;
    try {
      await api(`/api/cancel-requests/${encodeURIComponent(mark.id)}/handled/undo`, { method: 'POST', body: { person: 'dashboard' } });
      toast(t('review.undone', { orderNo: mark.orderNo }));
    } catch (error) {
      if (error.status !== 401) toast(`${mark.orderNo}: ${errorText(error)}`, true);
    }
    saveHandledMarks(handledMarks().filter((m) => m.id !== mark.id));
    await load();
  }

  function openOverride(row, item) {
    if (row.nextElementSibling && row.nextElementSibling.classList.contains('override-row')) return row.nextElementSibling.remove();
    const kind = h('select', { name: 'kind' }, ['accept', 'refuse', 'seller-fault'].map((k) => h('option', { value: k, selected: item.decision && item.decision.action === k }, t(`kind.${k}`))));
    const note = h('input', { name: 'note', type: 'text', maxlength: 1000, placeholder: t('review.overrideNote'), required: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('review.overrideSubmit'));
    const form = h(
      'form',
      { class: 'override-form' },
      h('label', {}, t('review.overrideKind'), ' ', kind),
      h('label', { class: 'grow' }, t('review.overrideNote'), ' ', note),
      submit,
      h('button', { type: 'button', class: 'ghost', onclick: () => form.closest('tr').remove() }, t('review.cancel')),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!note.value.trim()) return toast(t('review.noteRequired'), true);
      if (!(await confirmKind(item, kind.value))) return;
      send(item, 'override', { kind: kind.value, note: note.value.trim() }, submit);
    });
    row.after(h('tr', { class: 'override-row' }, h('td', { colspan: 6 }, form)));
    note.focus();
  }

  // ---- refusals, alerts, connection ------------------------------------------------------------
  function renderRefusals() {
    const items = summary.refusalsToday;
    const heading = h('h2', {}, t('refusals.heading'), ' ', h('span', { class: 'count' }, String(items.length)));
    if (items.length === 0) return fill($('refusals'), heading, h('p', { class: 'empty' }, t('refusals.empty')));
    const columns = ['review.order', 'review.item', 'refusals.decided', 'refusals.tracking', 'refusals.state', 'refusals.deadline'].map((key) => t(key));
    const rows = items.map((r) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono' }, r.orderNo),
        h('td', {}, r.itemTitle || '—'),
        h('td', {}, badge(`kind-${r.decisionKind === 'refuse' ? 'refuse' : 'review'}`, t(`kind.${r.decisionKind}`)), h('div', { class: 'muted' }, jst(r.decidedAt))),
        h('td', { class: 'mono' }, r.tracking ? `${r.tracking.carrier} ${r.tracking.trackingNo}` : '—'),
        h('td', {}, badge(`tracking-${r.trackingState}`, t(`tracking.${r.trackingState}`)), r.overdue ? badge('status-over', t('refusals.overdue')) : null),
        h('td', { class: 'nowrap' }, jst(r.trackingDeadline)),
      ),
    );
    fill($('refusals'), heading, cardTable('', columns, rows));
  }

  function renderAlerts() {
    const items = summary.alerts;
    const heading = h('h2', {}, t('alerts.heading'));
    if (items.length === 0) return fill($('alerts'), heading, h('p', { class: 'empty' }, t('alerts.empty')));
    const list = h(
      'ul',
      { class: 'alerts' },
      items.map((a) =>
        h(
          'li',
          { class: `alert severity-${a.severity}` },
          h('div', { class: 'alert-head' }, badge(`severity-${a.severity}`, t(`severity.${a.severity}`)), h('span', { class: 'muted' }, jst(a.createdAt))),
          h('div', { class: 'alert-subject' }, a.subject),
          h('div', { class: 'muted small' }, t('alerts.email', { status: t(`email.${a.email.status}`) })),
        ),
      ),
    );
    fill($('alerts'), heading, list);
  }

  function renderHealth() {
    const c = summary.connection;
    const row = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];
    const ago = c.lastPollAgeSeconds === null ? '' : ` (${t('health.ago', { n: Math.floor(c.lastPollAgeSeconds / 60) })})`;
    const run = c.lastRun;
    const expiry = c.keyExpiresAt ? [jstDate(c.keyExpiresAt), c.keyExpiryEstimated ? t('health.keyEstimated') : '', ' · ', t('health.daysLeft', { n: c.keyDaysLeft })] : [t('health.unknown')];
    const list = h(
      'dl',
      { class: 'health' },
      row(t('health.lastPoll'), c.lastPollAt ? jst(c.lastPollAt) + ago : t('health.never'), ' ', c.pollStale ? badge('status-over', t('health.stale')) : badge('status-ok', t('health.fresh'))),
      row(t('health.lastRun'), run ? [badge(`run-${run.status}`, t(`run.${run.status}`)), ' ', jst(run.startedAt), run.error ? h('div', { class: 'warn small' }, run.error) : null] : '—'),
      row(t('health.key'), badge(`key-${c.keyStatus}`, t(`keyStatus.${c.keyStatus}`))),
      row(t('health.keyExpiry'), ...expiry),
    );
    fill($('health'), ...[h('h2', {}, t('health.heading')), list, c.demo ? h('p', { class: 'hint' }, t('health.demo')) : null, renderFacts()].filter(Boolean));
  }

  /** What `cancel-guard verify-live` settled about Qoo10 on this shop's account. */
  function renderFacts() {
    const facts = summary.qoo10Facts || [];
    if (facts.length === 0) return null;
    const badgeOf = { confirmed: 'status-ok', contradicted: 'status-over', unknown: 'status-unknown' };
    const shipConfirm = facts.find((f) => f.fact === 'ship_confirm_ends_request');
    return h(
      'details',
      { class: 'facts' },
      h('summary', {}, t('facts.heading', { n: facts.filter((f) => f.verdict === 'confirmed').length, total: facts.length })),
      h('ul', {}, facts.map((f) => h('li', { 'data-fact': f.fact }, badge(badgeOf[f.verdict] || 'status-unknown', t(`facts.${f.verdict}`)), ' ', f.statement, f.evidence ? h('div', { class: 'muted small' }, f.evidence) : null))),
      shipConfirm && shipConfirm.verdict !== 'confirmed' ? h('p', { class: 'hint' }, t('facts.qsmNote')) : null,
      facts.every((f) => f.verdict === 'unknown') ? h('p', { class: 'hint' }, t('facts.runHint')) : null,
    );
  }

  // ---- tabs --------------------------------------------------------------------------------------
  function currentTab() {
    const name = location.hash.replace(/^#/, '');
    return TABS.includes(name) ? name : 'overview';
  }
  function showTab(name) {
    for (const tab of TABS) {
      $(`tab-${tab}`).hidden = tab !== name;
      const button = document.querySelector(`#tabs [data-tab=${tab}]`);
      if (button) button.setAttribute('aria-selected', String(tab === name));
    }
    document.dispatchEvent(new CustomEvent('cg:tab', { detail: name }));
  }

  // ---- events ----------------------------------------------------------------------------------
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (!value) return ($('login-error').textContent = t('login.empty'));
    sessionStorage.setItem(CG.TOKEN_KEY, value);
    $('token').value = '';
    load();
  });
  $('logout').addEventListener('click', () => showLogin(''));
  $('refresh').addEventListener('click', () => load());
  $('lang').addEventListener('click', () => {
    CG.setLang(CG.state.lang === 'ja' ? 'en' : 'ja');
    render();
    document.dispatchEvent(new CustomEvent('cg:lang'));
  });
  $('shop-select').addEventListener('change', (event) => {
    sessionStorage.setItem(SHOP_KEY, event.target.value);
    load();
  });
  for (const button of document.querySelectorAll('#tabs [data-tab]')) {
    button.addEventListener('click', () => {
      location.hash = button.dataset.tab === 'overview' ? '' : button.dataset.tab;
      showTab(button.dataset.tab);
    });
  }
  window.addEventListener('hashchange', () => showTab(currentTab()));
  setInterval(() => {
    // A person typing (an override note, a form) or reading a dialog must not lose it to a refresh.
    const busy = document.querySelector('.override-row, dialog[open]') || (document.activeElement && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName));
    if (document.visibilityState === 'visible' && !busy) load();
  }, REFRESH_MS);

  render();
  if (CG.token()) load();
  else showLogin('');
})();
