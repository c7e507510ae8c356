// Kefu agent console. Talks to the desk API of the same server with the desk token, which is
// typed once and kept in sessionStorage (gone when the tab closes). Every piece of customer
// or agent text is inserted with textContent: escalations are untrusted input.

const POLL_MS = 2000;
const TOKEN_KEY = 'kefu.desk.token';
const AUTHOR_KEY = 'kefu.desk.author';

const $ = (id) => document.getElementById(id);
const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  author: localStorage.getItem(AUTHOR_KEY) || '',
  filter: 'open',
  selectedId: null,
  renderedKey: '',   // what the open transcript shows, so polling does not redraw needlessly
  timer: null,
};

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    throw new ApiError(response.status, error.code || 'internal',
                       error.message || `HTTP ${response.status}`);
  }
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

function setConnection(text) {
  $('connection').textContent = text;
}

// --- sign in / out --------------------------------------------------------------------------

function showSignIn(message) {
  stopPolling();
  $('sign-in').hidden = false;
  $('desk').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in-error').textContent = message || '';
  $('author').value = state.author;
  setConnection('');
}

function showDesk() {
  $('sign-in').hidden = true;
  $('desk').hidden = false;
  $('sign-out').hidden = false;
  startPolling();
}

function signOut(message) {
  state.token = '';
  state.selectedId = null;
  state.renderedKey = '';
  sessionStorage.removeItem(TOKEN_KEY);
  showSignIn(message);
}

async function signIn(event) {
  event.preventDefault();
  state.token = $('token').value.trim();
  state.author = $('author').value.trim();
  try {
    await api('GET', '/v1/desk/conversations?status=open&limit=1');
  } catch (error) {
    state.token = '';
    $('sign-in-error').textContent =
        error.status === 401 ? 'That desk token is not right.' : `Cannot reach the server: ${error.message}`;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, state.token);
  localStorage.setItem(AUTHOR_KEY, state.author);
  $('token').value = '';
  showDesk();
}

// --- polling --------------------------------------------------------------------------------

function startPolling() {
  stopPolling();
  const tick = async () => {
    await refresh();
    if (state.token) state.timer = setTimeout(tick, POLL_MS);
  };
  tick();
}

function stopPolling() {
  clearTimeout(state.timer);
  state.timer = null;
}

async function refresh() {
  try {
    await refreshList();
    if (state.selectedId) await refreshConversation();
    setConnection(`updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    handleError(error, null);
  }
}

function handleError(error, target) {
  if (error.status === 401) {
    signOut('The desk token was refused; sign in again.');
  } else if (target) {
    target.textContent = error.message;
  } else {
    setConnection(`offline: ${error.message}`);
  }
}

// --- list -----------------------------------------------------------------------------------

async function refreshList() {
  const { conversations } = await api('GET', `/v1/desk/conversations?status=${state.filter}`);
  const list = $('conversation-list');
  list.replaceChildren(...conversations.map(renderListItem));
  $('list-empty').hidden = conversations.length > 0;
}

function renderListItem(c) {
  const item = el('li');
  item.dataset.id = c.id;
  const button = el('button');
  button.type = 'button';
  button.setAttribute('aria-current', String(c.id === state.selectedId));
  const language = c.language ? `${c.language} (${c.locale})` : c.locale;
  button.append(
      el('span', 'line', `${language} · ${c.reason} · ${c.status}`),
      el('span', 'preview', c.first_customer_message || '(no customer message)'),
      el('span', 'line', formatTime(c.created_at)));
  button.addEventListener('click', () => select(c.id));
  item.append(button);
  return item;
}

// --- one conversation -----------------------------------------------------------------------

async function select(id) {
  state.selectedId = id;
  state.renderedKey = '';
  $('detail-error').textContent = '';
  $('reply-text').value = '';
  for (const button of $('conversation-list').querySelectorAll('button')) {
    button.setAttribute('aria-current', 'false');
  }
  try {
    await refreshConversation();
  } catch (error) {
    handleError(error, $('detail-error'));
  }
}

async function refreshConversation() {
  const id = state.selectedId;
  let c;
  try {
    c = await api('GET', `/v1/desk/conversations/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error.status === 404) {
      closeDetail();  // erased elsewhere
      return;
    }
    throw error;
  }
  if (id !== state.selectedId) return;  // the agent picked another one meanwhile
  const key = `${c.id}|${c.status}|${c.messages.length}`;
  if (key === state.renderedKey) return;
  state.renderedKey = key;
  renderConversation(c);
}

function closeDetail() {
  state.selectedId = null;
  state.renderedKey = '';
  $('detail').hidden = true;
  $('nothing-selected').hidden = false;
}

// A message's translation: `m.translation` from the desk API (customer follow-ups, and
// transcripts stored since the messages table has the column), else the escalation payload's
// transcript[seq - 1].translation (conversations stored before). A string, or
// {text, language?, machine?}.
function translationValue(m, payload) {
  if (m.translation !== undefined && m.translation !== null) return m.translation;
  const transcript = payload && Array.isArray(payload.transcript) ? payload.transcript : [];
  const item = m.seq >= 1 && m.seq <= transcript.length ? transcript[m.seq - 1] : null;
  return item && item.translation !== undefined && item.translation !== null ? item.translation : null;
}

// The translation shown under the original, labelled "machine translation (en)" when the
// sender marked it machine-made. Text only (textContent): it is untrusted input.
function renderTranslation(value) {
  let text = null;
  let language = '';
  let machine = false;
  if (typeof value === 'string') {
    text = value;
  } else if (value && typeof value === 'object' && typeof value.text === 'string') {
    text = value.text;
    language = typeof value.language === 'string' ? value.language : '';
    machine = value.machine === true;
  }
  if (!text) return null;
  const label = `${machine ? 'machine translation' : 'translation'}${language ? ` (${language})` : ''}`;
  const node = el('span', 'translation');
  node.append(el('span', 'translation-label', label), el('span', 'translation-text', text));
  return node;
}

function renderConversation(c) {
  $('nothing-selected').hidden = true;
  $('detail').hidden = false;
  $('detail-title').textContent = `${c.id} — ${c.status}`;

  const meta = [
    ['Shop', c.shop_id],
    ['Reason', c.reason],
    ['Language', c.language || '—'],
    ['Locale', c.locale],
    ['Created', formatTime(c.created_at)],
    ['Page', c.page_url || '—'],
  ];
  const payload = c.payload || {};
  for (const [label, field] of [['User', 'user'], ['Order', 'order']]) {
    if (payload[field] && typeof payload[field] === 'object') {
      const parts = Object.entries(payload[field]).map(([k, v]) => `${k}: ${v}`);
      meta.push([label, parts.join(', ')]);
    }
  }
  const contact = payload.customer && payload.customer.contact;
  if (contact && contact.email) meta.push(['Contact', `${contact.email} (consented)`]);
  for (const field of ['intent', 'sentiment', 'urgency']) {
    if (payload[field] !== undefined) {
      const value = payload[field];
      meta.push([field[0].toUpperCase() + field.slice(1),
                 typeof value === 'object' ? JSON.stringify(value) : String(value)]);
    }
  }
  $('detail-meta').replaceChildren(...meta.flatMap(([label, value]) => [el('dt', null, label),
                                                                        el('dd', null, value)]));

  $('messages').replaceChildren(...c.messages.map((m) => {
    const item = el('li', m.role);
    const who = m.role === 'agent' && m.author ? `agent ${m.author}` : m.role;
    item.append(el('span', 'who', `${who} · ${formatTime(m.created_at)}`), el('span', 'text', m.text));
    const translation = renderTranslation(translationValue(m, payload));
    if (translation) item.append(translation);
    return item;
  }));

  const open = c.status === 'open';
  $('close-conversation').disabled = !open;
  $('reply-form').hidden = !open;
}

async function sendReply(event) {
  event.preventDefault();
  const text = $('reply-text').value;
  if (!text.trim() || !state.selectedId) return;
  const button = event.submitter || $('reply-form').querySelector('button');
  button.disabled = true;
  try {
    await api('POST', `/v1/desk/conversations/${encodeURIComponent(state.selectedId)}/messages`,
              { text, author: state.author || undefined });
    $('reply-text').value = '';
    $('detail-error').textContent = '';
    await refreshConversation();
  } catch (error) {
    handleError(error, $('detail-error'));
  } finally {
    button.disabled = false;
  }
}

async function closeConversation() {
  try {
    await api('POST', `/v1/desk/conversations/${encodeURIComponent(state.selectedId)}/close`);
    await refresh();
  } catch (error) {
    handleError(error, $('detail-error'));
  }
}

async function eraseConversation() {
  const id = state.selectedId;
  if (!id) return;
  const sure = window.confirm(
      `Erase ${id} for good? The transcript, the customer's details and every message are ` +
      'deleted and cannot be recovered.');
  if (!sure) return;
  try {
    await api('DELETE', `/v1/desk/conversations/${encodeURIComponent(id)}`);
    closeDetail();
    await refresh();
  } catch (error) {
    handleError(error, $('detail-error'));
  }
}

// --- wiring ---------------------------------------------------------------------------------

$('token-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', () => signOut(''));
$('filter').addEventListener('change', (event) => {
  state.filter = event.target.value;
  refresh();
});
$('reply-form').addEventListener('submit', sendReply);
$('close-conversation').addEventListener('click', closeConversation);
$('erase-conversation').addEventListener('click', eraseConversation);

if (state.token) {
  showDesk();
} else {
  showSignIn('');
}
