// sse-hub playground. Plain JavaScript, no build step.
// Every value that came from the network or a user is shown with textContent, never innerHTML.
//
// The stream is read with fetch and a small SSE parser instead of EventSource: the hub names
// its events (`event: <type>`), and EventSource only reports the types it was told about in
// advance; fetch also sends the token in a header (out of URLs and access logs) and lets the
// page send Last-Event-ID itself when it reconnects.

const MAX_EVENTS = 200;
const DEFAULT_RETRY_MS = 3000;
const METRICS_TOPIC = 'demo/metrics';
const SPARK_POINTS = 40;

const $ = (id) => document.getElementById(id);

/** Creates an element with text content and classes; never parses HTML. */
function el(tag, { className, text, title } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  if (title !== undefined) node.title = String(title);
  for (const child of children) node.append(child);
  return node;
}

const state = {
  token: undefined,
  claims: undefined,
  stream: undefined,
  /** The last event id seen with this token: Connect resumes from it, as a reconnect does. */
  resumeFrom: undefined,
  topics: [],
  events: 0,
  heartbeats: 0,
  rss: [],
};

// ---------------------------------------------------------------- SSE over fetch

/**
 * A stream of the hub that reconnects the way EventSource does: after `retry` ms, sending the
 * id of the last event it saw as Last-Event-ID. It stops for good on 4xx answers (a bad or
 * expired token will not get better by retrying).
 */
class HubStream {
  constructor(token, handlers, lastEventId) {
    this.token = token;
    this.handlers = handlers;
    this.lastEventId = lastEventId;
    this.retryMs = DEFAULT_RETRY_MS;
    this.stopped = false;
    this.controller = undefined;
    this.wake = undefined;
  }

  start() {
    this.run();
  }

  /** Closes for good. */
  stop() {
    this.stopped = true;
    this.controller?.abort();
    this.wake?.();
  }

  /** Cuts the current connection as a network failure would; the stream reconnects. */
  drop() {
    this.controller?.abort();
  }

  async run() {
    let attempt = 0;
    while (!this.stopped) {
      this.handlers.onState(attempt === 0 ? 'connecting' : 'reconnecting');
      attempt++;
      this.controller = new AbortController();
      try {
        const headers = { Authorization: `Bearer ${this.token}`, Accept: 'text/event-stream' };
        if (this.lastEventId !== undefined) headers['Last-Event-ID'] = this.lastEventId;
        const response = await fetch('/sse', { headers, cache: 'no-store', signal: this.controller.signal });
        if (response.status >= 400 && response.status < 500) {
          this.stopped = true;
          this.handlers.onFatal(response.status, await errorMessage(response));
          break;
        }
        if (!response.ok || !response.body) {
          throw new Error(`the hub answered ${response.status}`);
        }
        this.handlers.onState('open');
        await this.read(response.body);
      } catch {
        // a network error, an abort (drop), or a 5xx: retried below unless stopped
      }
      if (this.stopped) break;
      this.handlers.onState('reconnecting');
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, this.retryMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.handlers.onState('closed');
  }

  /** Parses the stream as the HTML spec says (lines, fields, blank line dispatches). */
  async read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let data = [];
    let type = '';
    let id;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const lines = buffer.split(/\r\n|\r|\n/);
      // A lone \r at the end may be half of \r\n: keep it for the next chunk.
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (id !== undefined) this.lastEventId = id;
          if (data.length > 0) {
            this.handlers.onEvent({ id: this.lastEventId, type: type || 'message', data: data.join('\n') });
          }
          data = [];
          type = '';
          id = undefined;
          continue;
        }
        if (line.startsWith(':')) {
          this.handlers.onComment();
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let fieldValue = colon === -1 ? '' : line.slice(colon + 1);
        if (fieldValue.startsWith(' ')) fieldValue = fieldValue.slice(1);
        if (field === 'data') data.push(fieldValue);
        else if (field === 'event') type = fieldValue;
        else if (field === 'id' && !fieldValue.includes('\0')) id = fieldValue;
        else if (field === 'retry' && /^\d+$/.test(fieldValue)) this.retryMs = Number(fieldValue);
      }
    }
  }
}

// ---------------------------------------------------------------- REST

async function errorMessage(response) {
  try {
    const body = await response.json();
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    return `${response.status} ${body.error ?? ''}: ${message ?? ''}`.trim();
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

/** A JSON call with the current token; throws Error(message) on a non-2xx answer. */
async function api(method, path, body) {
  const headers = {};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(await errorMessage(response));
  return response.json();
}

function say(id, text, kind = 'error') {
  const node = $(id);
  node.textContent = text ?? '';
  node.dataset.kind = kind;
}

// ---------------------------------------------------------------- identity

function decodeClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('that is not a JWT (three dot-separated parts)');
  const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
  const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  const claims = JSON.parse(json);
  if (typeof claims !== 'object' || claims === null) throw new Error('the token has no claims');
  return claims;
}

function useToken(token) {
  let claims;
  try {
    claims = decodeClaims(token);
  } catch (error) {
    say('identity-message', `Cannot read this token: ${error.message}`);
    return;
  }
  disconnect();
  state.token = token;
  state.claims = claims;
  state.resumeFrom = undefined;
  $('conn-last-id').textContent = '–';
  $('token-facts').hidden = false;
  $('token-masked').textContent = `${token.slice(0, 12)}…${token.slice(-6)} (${token.length} chars)`;
  $('token-sub').textContent = claims.sub ?? '(none)';
  $('token-roles').textContent = Array.isArray(claims.roles) && claims.roles.length ? claims.roles.join(', ') : '(none)';
  $('token-topics').textContent =
    Array.isArray(claims.topics) && claims.topics.length ? claims.topics.join(', ') : 'any topic';
  $('token-exp').textContent = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toLocaleString() : 'never';
  say('identity-message', 'Token ready: connect below.', 'ok');
  if (!$('publish-target').value) $('publish-target').value = claims.sub ?? '';
  $('connect').disabled = false;
  setTopics([]);
  refreshTopics();
}

$('tab-mint').addEventListener('click', () => showTab('mint'));
$('tab-paste').addEventListener('click', () => showTab('paste'));
function showTab(which) {
  $('mint-form').hidden = which !== 'mint';
  $('paste-form').hidden = which !== 'paste';
  $('tab-mint').classList.toggle('active', which === 'mint');
  $('tab-paste').classList.toggle('active', which === 'paste');
  $('tab-mint').setAttribute('aria-selected', String(which === 'mint'));
  $('tab-paste').setAttribute('aria-selected', String(which === 'paste'));
}

$('mint-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const topics = $('mint-topics')
    .value.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const body = { sub: $('mint-sub').value.trim() };
  if ($('mint-publisher').checked) body.roles = ['publisher'];
  if (topics.length) body.topics = topics;
  try {
    const response = await fetch('/auth/dev-token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status === 404) {
      say('identity-message', 'Dev tokens are off on this server (production, or SSE_DEV_TOKENS=off): paste a token instead.');
      return;
    }
    if (!response.ok) throw new Error(await errorMessage(response));
    useToken((await response.json()).token);
  } catch (error) {
    say('identity-message', `Could not mint a token: ${error.message}`);
  }
});

$('paste-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('paste-token').value.trim();
  if (token) useToken(token);
});

// ---------------------------------------------------------------- connection

function setConnectionState(next) {
  $('status').dataset.state = next;
  $('status-text').textContent = next;
  $('conn-state').textContent = next;
  const live = next !== 'closed';
  $('connect').disabled = live || !state.token;
  $('disconnect').disabled = !live;
  $('drop').disabled = next !== 'open';
}

function connect() {
  if (!state.token || state.stream) return;
  say('connection-message', '');
  hideNotice();
  const stream = new HubStream(state.token, {
    onState: (next) => {
      if (state.stream !== stream) return;
      if (next === 'closed') state.stream = undefined;
      setConnectionState(next);
    },
    onEvent: (event) => state.stream === stream && onHubEvent(event, stream),
    onComment: () => {
      state.heartbeats++;
      $('conn-heartbeats').textContent = String(state.heartbeats);
    },
    onFatal: (status, message) => {
      const expired = typeof state.claims?.exp === 'number' && state.claims.exp * 1000 <= Date.now();
      say(
        'connection-message',
        status === 401 && expired
          ? 'The token has expired, so the hub ended the stream: mint or paste a fresh one and connect again.'
          : `The hub refused the stream: ${message}`,
      );
    },
  }, state.resumeFrom);
  state.stream = stream;
  stream.start();
}

function disconnect() {
  const stream = state.stream;
  state.stream = undefined;
  if (stream) state.resumeFrom = stream.lastEventId;
  stream?.stop();
  setConnectionState('closed');
}

$('connect').addEventListener('click', connect);
$('disconnect').addEventListener('click', disconnect);
$('drop').addEventListener('click', () => state.stream?.drop());

function onHubEvent(event, stream) {
  $('conn-last-id').textContent = stream.lastEventId ?? '–';
  if (event.type === 'connected') {
    let greeting = {};
    try {
      greeting = JSON.parse(event.data);
    } catch {
      // shown in the list as it came
    }
    $('conn-client').textContent = greeting.clientId ?? '–';
    $('conn-id').textContent = greeting.connectionId ?? '–';
    // The greeting's id is the point the stream resumed from (the Last-Event-ID it was sent).
    if (greeting.recovered === true) {
      showNotice('ok', `Resumed after event ${event.id}: nothing was missed.`);
    } else if (greeting.recovered === false) {
      showNotice(
        'warn',
        `Resumed after event ${event.id}, but the hub’s history no longer reaches back that far: some events were missed.`,
      );
    } else {
      hideNotice();
    }
    refreshTopics();
  }
  const isMetrics = event.type === 'metrics' && looksLikeFigures(event.data);
  if (isMetrics) showFigures(event.data);
  if (!isMetrics || $('show-metrics').checked) addEvent(event);
}

function showNotice(kind, text) {
  const notice = $('notice');
  notice.dataset.kind = kind;
  notice.textContent = text;
  notice.hidden = false;
}

function hideNotice() {
  $('notice').hidden = true;
}

// ---------------------------------------------------------------- events list

function formatData(data) {
  try {
    const parsed = JSON.parse(data);
    if (parsed !== null && typeof parsed === 'object') return JSON.stringify(parsed, null, 2);
  } catch {
    // plain text
  }
  return data;
}

function addEvent({ id, type, data }) {
  const list = $('events');
  const time = new Date().toLocaleTimeString([], { hour12: false }) + `.${String(Date.now() % 1000).padStart(3, '0')}`;
  const item = el('li', { className: `event${type === 'connected' ? ' system' : ''}` }, [
    el('div', { className: 'event-meta' }, [
      el('span', { className: 'type', text: type }),
      el('span', { className: 'id', text: id ? `id ${id}` : 'no id' }),
      el('time', { className: 'time', text: time }),
    ]),
    el('pre', { className: 'data', text: formatData(data) }),
  ]);
  list.prepend(item);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
  state.events++;
  $('events-count').textContent = String(state.events);
  $('events-empty').hidden = true;
}

$('clear-events').addEventListener('click', () => {
  $('events').replaceChildren();
  state.events = 0;
  $('events-count').textContent = '0';
  $('events-empty').hidden = false;
});

// ---------------------------------------------------------------- topics

function setTopics(topics) {
  state.topics = topics;
  const list = $('topics');
  list.replaceChildren(
    ...topics.map((topic) => {
      const remove = el('button', { className: 'chip-remove', text: '×', title: `Unsubscribe from ${topic}` });
      remove.type = 'button';
      remove.setAttribute('aria-label', `Unsubscribe from ${topic}`);
      remove.addEventListener('click', () => changeTopics('DELETE', [topic]));
      return el('li', { className: 'chip' }, [el('span', { text: topic }), remove]);
    }),
  );
  $('topics-empty').hidden = topics.length > 0;
  $('metrics-card').hidden = !topics.includes(METRICS_TOPIC);
  const ready = Boolean(state.token);
  $('subscribe').disabled = !ready;
  $('subscribe-demo').disabled = !ready || topics.includes(METRICS_TOPIC);
  $('publish').disabled = !ready;
}

async function refreshTopics() {
  if (!state.token) return;
  try {
    setTopics((await api('GET', '/sse/subscriptions')).topics);
  } catch (error) {
    say('topics-message', `Could not read topics: ${error.message}`);
  }
}

async function changeTopics(method, topics) {
  try {
    setTopics((await api(method, '/sse/subscriptions', { topics })).topics);
    say('topics-message', '');
  } catch (error) {
    say('topics-message', error.message);
  }
}

$('subscribe-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const topics = $('topic-input')
    .value.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (topics.length === 0) return;
  await changeTopics('POST', topics);
  if (!$('topics-message').textContent) $('topic-input').value = '';
});
$('subscribe-demo').addEventListener('click', () => changeTopics('POST', [METRICS_TOPIC]));

// ---------------------------------------------------------------- publish

for (const radio of document.querySelectorAll('input[name="target"]')) {
  radio.addEventListener('change', updateTargetField);
}

function selectedTarget() {
  return document.querySelector('input[name="target"]:checked').value;
}

function updateTargetField() {
  const target = selectedTarget();
  const label = $('target-label');
  label.hidden = target === 'broadcast';
  $('target-label-text').textContent = target === 'topic' ? 'Topic' : 'Client id';
  const input = $('publish-target');
  input.placeholder = target === 'topic' ? 'e.g. orders/eu' : 'client id';
  if (target === 'topic' && (!input.value || input.value === state.claims?.sub)) input.value = state.topics[0] ?? '';
  if (target === 'client' && !input.value) input.value = state.claims?.sub ?? '';
}

$('publish-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const target = selectedTarget();
  const name = $('publish-target').value.trim();
  let path;
  if (target === 'broadcast') path = '/notifications/broadcast';
  else if (!name) return say('publish-message', `Say which ${target === 'topic' ? 'topic' : 'client'} to send to.`);
  else if (target === 'topic') path = `/notifications/topics/${name.split('/').map(encodeURIComponent).join('/')}`;
  else path = `/notifications/clients/${encodeURIComponent(name)}`;
  const raw = $('publish-data').value;
  let data;
  try {
    data = JSON.parse(raw);
  } catch {
    data = raw;
  }
  try {
    const receipt = await api('POST', path, { event: $('publish-event').value.trim(), data });
    say(
      'publish-message',
      `Accepted as ${receipt.id}; ${receipt.delivered} connection${receipt.delivered === 1 ? '' : 's'} here took it.`,
      'ok',
    );
  } catch (error) {
    say('publish-message', error.message);
  }
});

// ---------------------------------------------------------------- demo figures

function looksLikeFigures(data) {
  try {
    const figures = JSON.parse(data);
    return typeof figures?.rssBytes === 'number';
  } catch {
    return false;
  }
}

const mebibytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function showFigures(data) {
  const figures = JSON.parse(data);
  $('fig-rss').textContent = mebibytes(figures.rssBytes);
  $('fig-heap').textContent = mebibytes(figures.heapUsedBytes);
  $('fig-conns').textContent = String(figures.openConnections);
  $('fig-uptime').textContent = `${Math.round(figures.uptimeSeconds)} s`;
  $('fig-at').textContent = `from ${String(figures.instance ?? 'the server')} at ${new Date(figures.at).toLocaleTimeString([], { hour12: false })}`;
  state.rss.push(Number(figures.rssBytes));
  if (state.rss.length > SPARK_POINTS) state.rss.shift();
  drawSpark();
}

function drawSpark() {
  const svg = $('spark');
  const values = state.rss;
  // At least 1 MiB of range, so a steady process draws a steady line, not amplified noise.
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = Math.max(high - low, 1024 * 1024);
  const min = (low + high) / 2 - span / 2;
  const step = values.length > 1 ? 300 / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(44 - ((v - min) / span) * 40).toFixed(1)}`).join(' ');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points);
  svg.replaceChildren(line);
}

// ---------------------------------------------------------------- start

setConnectionState('closed');
setTopics([]);
updateTargetField();
