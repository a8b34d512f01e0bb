// The hub console: a small page over the admin API (/v1/admin/…). No framework, no build step.
// Every value that comes from a delivery is untrusted: it is only ever set as text
// (textContent / createTextNode), never parsed as HTML, and the page's CSP forbids inline script.
'use strict';

(() => {
  const KEY = 'lw-hub-admin-key';
  const $ = (id) => document.getElementById(id);
  const state = { tenants: [], selected: null, nextBefore: null, timer: null };

  function say(message, isError = false) {
    const status = $('status');
    status.textContent = message;
    status.classList.toggle('error', isError);
  }

  function key() {
    return sessionStorage.getItem(KEY) || '';
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      ...options,
      headers: { Authorization: `Bearer ${key()}`, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    const text = await response.text();
    const body = text ? JSON.parse(text) : {};
    if (response.status === 401) {
      signOut();
      throw new Error('The admin key was not accepted. Sign in again.');
    }
    if (!response.ok) throw new Error(body.message || `HTTP ${response.status}`);
    return body;
  }

  /** A table cell holding text (never HTML). */
  function cell(row, value, className) {
    const td = document.createElement('td');
    td.textContent = value === null || value === undefined || value === '' ? '–' : String(value);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function badge(status) {
    const span = document.createElement('span');
    span.className = `badge ${status}`;
    span.textContent = status;
    return span;
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : '';
  }

  function schoolName(tenantId) {
    const tenant = state.tenants.find((t) => t.id === tenantId);
    return tenant ? tenant.school_url.replace(/^https:\/\//, '') : tenantId;
  }

  function fillSelect(select, values, label) {
    const current = select.value;
    select.replaceChildren(new Option(label, ''));
    for (const [value, text] of values) select.appendChild(new Option(text, value));
    select.value = values.some(([value]) => value === current) ? current : '';
  }

  async function loadTenants() {
    const { data } = await api('/v1/admin/tenants');
    state.tenants = data;
    const tbody = $('schools').tBodies[0];
    tbody.replaceChildren();
    for (const tenant of data) {
      const row = tbody.insertRow();
      cell(row, tenant.school_url.replace(/^https:\/\//, ''));
      cell(row, tenant.subscriptions.length);
      const last = Object.entries(tenant.last_events).sort((a, b) => String(b[1]).localeCompare(String(a[1])))[0];
      cell(row, last ? `${last[0]} · ${when(last[1])}` : 'none yet', 'wrap');
      cell(row, `${tenant.last_24h.delivered} · ${tenant.last_24h.failed} · ${tenant.last_24h.pending}`);
    }
    if (data.length === 0) cell(tbody.insertRow(), 'No school yet: a school appears once a Zap subscribes.').colSpan = 4;
    fillSelect(
      $('filter-tenant'),
      data.map((t) => [t.id, t.school_url.replace(/^https:\/\//, '')]),
      'All schools',
    );
    const events = [...new Set(data.flatMap((t) => Object.keys(t.last_events)))].sort();
    fillSelect(
      $('filter-event'),
      events.map((e) => [e, e]),
      'All events',
    );
  }

  async function loadTargets() {
    const { data } = await api('/v1/admin/targets');
    const tbody = $('targets').tBodies[0];
    tbody.replaceChildren();
    for (const target of data) {
      const row = tbody.insertRow();
      cell(row, target.target, 'wrap');
      cell(row, target.account, 'wrap');
      cell(row, target.backlog);
      cell(row, when(target.oldest_pending));
      cell(row, target.rate_share < 1 ? `${Math.round(target.rate_share * 100)} % (recovering)` : 'full');
      cell(row, when(target.paused_until));
    }
    if (data.length === 0) cell(tbody.insertRow(), 'None: every Zap is keeping up.').colSpan = 6;
  }

  function deliveryQuery(before) {
    const params = new URLSearchParams({ limit: '50' });
    for (const name of ['tenant', 'event', 'status']) {
      const value = $(`filter-${name}`).value;
      if (value) params.set(name, value);
    }
    if (before) params.set('before', before);
    return `/v1/admin/deliveries?${params}`;
  }

  function deliveryRow(tbody, delivery) {
    const row = tbody.insertRow();
    row.dataset.id = delivery.id;
    if (state.selected === delivery.id) row.className = 'selected';
    cell(row, delivery.id);
    cell(row, when(delivery.received_at));
    cell(row, schoolName(delivery.tenant));
    cell(row, delivery.event_type);
    cell(row, delivery.target, 'wrap');
    row.insertCell().appendChild(badge(delivery.status));
    cell(row, delivery.attempts);
    cell(row, [delivery.last_status, delivery.last_error].filter((v) => v !== null && v !== '').join(' · '), 'wrap');
    cell(row, when(delivery.next_attempt_at));
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = 'Details';
    open.setAttribute('aria-label', `Details of delivery ${delivery.id}`);
    open.addEventListener('click', () => showDelivery(delivery.id));
    row.insertCell().appendChild(open);
  }

  async function loadDeliveries(append = false) {
    const { data, next_before: nextBefore } = await api(deliveryQuery(append ? state.nextBefore : null));
    const tbody = $('deliveries').tBodies[0];
    if (!append) tbody.replaceChildren();
    for (const delivery of data) deliveryRow(tbody, delivery);
    if (!append && data.length === 0) cell(tbody.insertRow(), 'No delivery matches these filters.').colSpan = 10;
    state.nextBefore = nextBefore;
    $('more').hidden = !nextBefore;
  }

  function field(list, name, value) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    if (value instanceof Node) dd.appendChild(value);
    else dd.textContent = value === null || value === undefined || value === '' ? '–' : String(value);
    list.append(dt, dd);
  }

  async function showDelivery(id, focus = true) {
    const delivery = await api(`/v1/admin/deliveries/${encodeURIComponent(id)}`);
    state.selected = delivery.id;
    for (const row of $('deliveries').tBodies[0].rows) row.classList.toggle('selected', row.dataset.id === delivery.id);
    $('detail-title').textContent = `Delivery #${delivery.id}: ${delivery.event_type}`;
    const list = $('detail-fields');
    list.replaceChildren();
    field(list, 'Status', badge(delivery.status));
    field(list, 'School', delivery.school_url);
    field(list, 'Zap (target)', delivery.target);
    field(list, 'Subscription', delivery.subscription_id);
    field(list, 'Webhook-Id', delivery.webhook_id);
    field(list, 'Received', when(delivery.received_at));
    field(list, 'Finished', when(delivery.finished_at));
    field(list, 'Next attempt', when(delivery.next_attempt_at));
    field(list, 'Last answer', [delivery.last_status, delivery.last_error].filter((v) => v !== null && v !== '').join(' · '));
    const attempts = $('attempts').tBodies[0];
    attempts.replaceChildren();
    for (const attempt of delivery.attempt_history) {
      const row = attempts.insertRow();
      cell(row, attempt.attempt);
      cell(row, when(attempt.at));
      cell(row, attempt.outcome);
      cell(row, attempt.status);
      cell(row, attempt.error, 'wrap');
    }
    if (delivery.attempt_history.length === 0) cell(attempts.insertRow(), 'Not attempted yet.').colSpan = 5;
    $('detail-body').textContent = typeof delivery.body === 'string' ? delivery.body : JSON.stringify(delivery.body, null, 2);
    $('replay').disabled = delivery.status === 'pending';
    $('replay').dataset.id = delivery.id;
    $('replay-failed').dataset.subscription = delivery.subscription_id;
    $('detail').hidden = false;
    if (focus) $('detail-title').focus();
  }

  async function refresh() {
    try {
      await loadTenants();
      await loadTargets();
      await loadDeliveries();
      if (state.selected && !$('detail').hidden) await showDelivery(state.selected, false);
      say(`Updated ${new Date().toLocaleTimeString()}.`);
    } catch (error) {
      say(error.message, true);
    }
  }

  async function replay() {
    try {
      await api(`/v1/admin/deliveries/${encodeURIComponent($('replay').dataset.id)}/replay`, { method: 'POST' });
      say(`Delivery #${$('replay').dataset.id} is queued again.`);
      await refresh();
    } catch (error) {
      say(error.message, true);
    }
  }

  async function replayFailed() {
    try {
      const { replayed } = await api(`/v1/admin/subscriptions/${encodeURIComponent($('replay-failed').dataset.subscription)}/replay-failed`, {
        method: 'POST',
      });
      say(`${replayed} failed deliver${replayed === 1 ? 'y is' : 'ies are'} queued again.`);
      await refresh();
    } catch (error) {
      say(error.message, true);
    }
  }

  function signedIn(on) {
    $('login').hidden = on;
    $('app').hidden = !on;
    $('logout').hidden = !on;
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    clearInterval(state.timer);
    $('auto-refresh').checked = false;
    signedIn(false);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, $('admin-key').value.trim());
      $('admin-key').value = '';
      signedIn(true);
      await refresh();
    });
    $('logout').addEventListener('click', () => {
      signOut();
      say('Signed out.');
    });
    $('filters').addEventListener('submit', (event) => {
      event.preventDefault();
      void refresh();
    });
    for (const name of ['tenant', 'event', 'status']) $(`filter-${name}`).addEventListener('change', () => void refresh());
    $('auto-refresh').addEventListener('change', (event) => {
      clearInterval(state.timer);
      if (event.target.checked) state.timer = setInterval(() => void refresh(), 5000);
    });
    $('more').addEventListener('click', () => void loadDeliveries(true).catch((error) => say(error.message, true)));
    $('replay').addEventListener('click', () => void replay());
    $('replay-failed').addEventListener('click', () => void replayFailed());
    if (key()) {
      signedIn(true);
      void refresh();
    }
  });
})();
