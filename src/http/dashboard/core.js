// What every part of the page shares: texts, formatting, DOM building (text only, never HTML from
// data), the API with the admin token, toasts and the confirm dialog. Loaded first; the other scripts
// read it from window.CancelGuard.
'use strict';

window.CancelGuard = (function () {
  const TOKEN_KEY = 'cancel-guard.token';
  const LANG_KEY = 'cancel-guard.lang';
  const TEXTS = window.CANCEL_GUARD_I18N;
  const $ = (id) => document.getElementById(id);
  const state = { lang: localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'ja', onUnauthorized: () => {} };

  function t(key, vars) {
    const text = TEXTS[state.lang][key] ?? TEXTS.ja[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (vars && vars[name] !== undefined ? String(vars[name]) : ''));
  }
  const has = (key) => TEXTS[state.lang][key] !== undefined;

  /** h('td', { class: 'x' }, 'text', child): an element with attributes and text or element children. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value == null) continue;
      if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  /** replaceChildren without the "null" text a skipped (null) child would become. */
  const fill = (el, ...children) => el.replaceChildren(...children.flat().filter((c) => c != null && c !== false && c !== ''));

  const locale = () => (state.lang === 'ja' ? 'ja-JP' : 'en-GB');
  const count = (n) => new Intl.NumberFormat(locale()).format(n);
  /** 7.25% (no space, in both languages). */
  const pct = (fraction) => `${(fraction * 100).toFixed(2)}%`;
  /** The limit as written in rules: 7%, 10%. */
  const pctShort = (fraction) => `${Number((fraction * 100).toFixed(2))}%`;
  /** JST time; English names the month ("1 Dec, 09:30") so 01/12 is never read as January. */
  function jst(iso, withDate = true) {
    if (!iso) return '—';
    const options = { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hour12: false };
    if (withDate) Object.assign(options, { month: state.lang === 'ja' ? 'numeric' : 'short', day: 'numeric' });
    return new Intl.DateTimeFormat(locale(), options).format(new Date(iso));
  }
  const jstDate = (iso) =>
    new Intl.DateTimeFormat(locale(), { timeZone: 'Asia/Tokyo', year: 'numeric', month: state.lang === 'ja' ? 'numeric' : 'short', day: 'numeric' }).format(new Date(iso));
  const badge = (cls, text) => h('span', { class: `badge ${cls}` }, text);

  // ---- API -------------------------------------------------------------------------------------
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.code = body && body.code;
      this.details = body && body.details;
    }
  }

  /** A server error in the page's language: known codes have their own text, else the server's. */
  function errorText(error) {
    if (error.code && has(`err.${error.code}`)) return t(`err.${error.code}`);
    if (error.code === 'validation_failed' && Array.isArray(error.details) && state.lang === 'ja') {
      return t('err.validation', { fields: error.details.map((d) => d.field).join('、') });
    }
    if (error.status >= 500 || error.status === undefined) return t('err.server');
    return state.lang === 'ja' ? t('err.other', { message: error.message }) : error.message;
  }

  /** JSON in and out; `raw` sends bytes (files) as they are. A 401 brings the login form back. */
  async function api(path, init = {}) {
    const headers = { Accept: 'application/json', Authorization: `Bearer ${token()}` };
    let body = init.body;
    if (init.raw) {
      headers['Content-Type'] = init.contentType || 'application/octet-stream';
      body = init.raw;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, { method: init.method || 'GET', headers, body, cache: 'no-store' });
    } catch {
      throw new ApiError(0, { code: 'network', message: 'network' });
    }
    const json = await res.json().catch(() => null);
    if (res.status === 401) {
      state.onUnauthorized();
      throw new ApiError(401, json);
    }
    if (!res.ok) throw new ApiError(res.status, json);
    return json;
  }

  // ---- toast and dialogs -----------------------------------------------------------------------
  function toast(text, isError, action) {
    const el = $('toast');
    el.replaceChildren(...[h('span', {}, text), action ? h('button', { type: 'button', class: 'ghost toast-action', onclick: action.run }, action.label) : null].filter(Boolean));
    el.className = `toast${isError ? ' error' : ''}`;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (el.hidden = true), action ? 10000 : 5000);
  }

  /**
   * Asks before something that cannot be undone. `lines` explain the effect; resolves true on OK.
   * A native <dialog>: modal, Escape cancels, focus stays inside.
   */
  function confirmDialog({ title, lines, ok, danger }) {
    return new Promise((done) => {
      const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' });
      const close = (answer) => {
        dialog.close();
        dialog.remove();
        done(answer);
      };
      dialog.append(
        h('h2', { id: 'confirm-title' }, title),
        ...lines.map((line) => (line instanceof Node ? line : h('p', {}, line))),
        h(
          'div',
          { class: 'dialog-actions' },
          h('button', { type: 'button', class: 'ghost', 'data-answer': 'no', onclick: () => close(false) }, t('dialog.cancel')),
          h('button', { type: 'button', class: danger ? 'danger' : 'primary', 'data-answer': 'yes', onclick: () => close(true) }, ok),
        ),
      );
      dialog.addEventListener('cancel', (event) => {
        event.preventDefault();
        close(false);
      });
      document.body.append(dialog);
      dialog.showModal();
      dialog.querySelector('[data-answer=no]').focus();
    });
  }

  /** Copies text; falls back to a selected textarea where the clipboard API is not allowed. */
  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      const area = h('textarea', { class: 'offscreen', readonly: true });
      area.value = text;
      document.body.append(area);
      area.select();
      const ok = document.execCommand('copy');
      area.remove();
      return ok;
    }
  }

  /** A table that turns into cards on a phone: each cell carries its column name. */
  function cardTable(className, columns, rows) {
    const head = h('tr', {}, columns.map((c) => h('th', {}, c)));
    for (const row of rows) {
      [...row.children].forEach((cell, i) => {
        if (!cell.hasAttribute('data-label') && columns[i]) cell.setAttribute('data-label', columns[i]);
      });
    }
    return h('div', { class: 'table-wrap' }, h('table', { class: `cards ${className || ''}` }, h('thead', {}, head), h('tbody', {}, rows)));
  }

  function setLang(lang) {
    state.lang = lang;
    localStorage.setItem(LANG_KEY, lang);
  }

  return { $, t, has, h, fill, count, pct, pctShort, jst, jstDate, badge, api, ApiError, errorText, toast, confirmDialog, copyText, cardTable, token, state, setLang, TOKEN_KEY };
})();
