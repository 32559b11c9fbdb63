// The dashboard's entry point: the operator token (from the URL fragment, the login
// form or this tab's session storage), then the console on the state the gateway
// answers, kept live over the public market streams and the operator stream.
import { buildConsole } from './console-layout.js';
import { openOperatorStream, openPublicStream } from './streams.js';

const STORAGE_KEY = 'perpcore.adminToken';

function tokenFromFragment() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match === null) return null;
  // the token leaves the address bar (and the history) at once
  history.replaceState(null, '', location.pathname + location.search);
  return decodeURIComponent(match[1]);
}

function showLogin(message) {
  document.getElementById('console').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('login-error').textContent = message ?? '';
  document.body.dataset.view = 'login';
}

async function fetchState(token) {
  const response = await fetch('/v1/admin/dashboard/state', { headers: { authorization: `Bearer ${token}` } });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`state: HTTP ${response.status}`);
  return response.json();
}

async function open(token) {
  let state;
  try {
    state = await fetchState(token);
  } catch (error) {
    showLogin(`The gateway did not answer: ${error.message}`);
    return;
  }
  if (state === null) {
    sessionStorage.removeItem(STORAGE_KEY);
    showLogin('That token was refused (401).');
    return;
  }
  sessionStorage.setItem(STORAGE_KEY, token);
  document.getElementById('login').hidden = true;
  const root = document.getElementById('console');
  root.hidden = false;
  document.body.dataset.view = 'console';
  const view = buildConsole(root, state, () => {
    sessionStorage.removeItem(STORAGE_KEY);
    location.reload();
  });
  openPublicStream(state.markets, view);
  openOperatorStream(token, view, () => {
    sessionStorage.removeItem(STORAGE_KEY);
    showLogin('The operator stream refused the token.');
  });
}

document.getElementById('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = document.getElementById('token').value.trim();
  if (token !== '') void open(token);
});

const initial = tokenFromFragment() ?? sessionStorage.getItem(STORAGE_KEY);
if (initial === null) showLogin();
else void open(initial);
