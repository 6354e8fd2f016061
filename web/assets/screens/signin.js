// Signing in: through the CoC's identity provider (the authorization code flow with PKCE; the
// page is a public client and never holds a secret), or, in a demo served with --dev, as any
// demo user with one click.

import { h, show, announce } from '../dom.js';
import { signIn } from '../api.js';
import { roleName } from '../access.js';

const PENDING = 'caseledger.pkce';

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function random() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function discovery(issuer) {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the identity provider answered ${response.status}`);
  return response.json();
}

/** Sends the browser to the provider's sign-in page. */
async function startProvider(provider) {
  const meta = await discovery(provider.issuer);
  const verifier = random();
  const state = random();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const redirect = `${location.origin}/`;
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, token: meta.token_endpoint, redirect }));
  const url = new URL(meta.authorization_endpoint);
  const params = {
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: redirect,
    scope: provider.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  if (provider.resource) params.resource = provider.resource;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.toString());
}

/**
 * Back from the provider (`/?code=…&state=…`): exchanges the code for an access token.
 * Answers true when a sign-in was completed here.
 */
export async function finishProvider(options) {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', '/');
  if (params.has('error')) {
    announce(`The identity provider did not sign you in: ${params.get('error_description') || params.get('error')}.`, 'error');
    return false;
  }
  if (!pending || pending.state !== params.get('state') || !options.provider) {
    announce('That sign-in was not started here; please sign in again.', 'error');
    return false;
  }
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: params.get('code'),
    redirect_uri: pending.redirect,
    client_id: options.provider.clientId,
    code_verifier: pending.verifier,
  });
  if (options.provider.resource) body.set('resource', options.provider.resource);
  const response = await fetch(pending.token, { method: 'POST', body });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok || !answer.access_token) {
    announce(`The identity provider refused the sign-in (${answer.error || response.status}).`, 'error');
    return false;
  }
  signIn({ token: answer.access_token, username: null, via: 'provider' });
  return true;
}

async function demoSignIn(user, done) {
  const response = await fetch('/app/demo-sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user.username }),
  });
  if (!response.ok) {
    announce(`Could not sign in as ${user.username}.`, 'error');
    return;
  }
  const { token } = await response.json();
  signIn({ token, username: user.username, via: 'demo' });
  done();
}

/** The sign-in page. */
export function render(options, done) {
  const parts = [];
  if (options.provider) {
    parts.push(
      h('p', {}, "Sign in with your CoC's account."),
      h('button', { type: 'button', class: 'primary', onclick: () => startProvider(options.provider).catch((e) => announce(`Sign-in could not start: ${e.message}.`, 'error')) }, 'Sign in'),
    );
  }
  if (options.demoUsers.length) {
    const byOrg = new Map();
    for (const user of options.demoUsers) {
      if (!byOrg.has(user.organization)) byOrg.set(user.organization, []);
      byOrg.get(user.organization).push(user);
    }
    parts.push(
      h('h2', {}, 'Demo: sign in as'),
      h('p', {}, 'The demo CoC of MOU 0001. Sign in as each agency to see its world: a client another agency shared with yours shows who shared it and why.'),
      h('ul', { class: 'demo-users' }, [...byOrg].map(([org, users]) =>
        h('li', {}, h('h3', {}, org), h('ul', {}, users.map((user) =>
          h('li', {}, h('button', { type: 'button', 'data-user': user.username, onclick: () => demoSignIn(user, done) },
            `${user.username} (${roleName(user.role)})`))))))),
    );
  }
  if (!parts.length) {
    parts.push(h('p', {}, 'Sign-in is not set up on this server: start it with --oidc-issuer and --oidc-web-client-id, or run the demo with --demo --dev.'));
  }
  show('Sign in', parts);
}
