// A real OpenID Connect provider (node-oidc-provider) for caseledger's sign-in tests.
//
// Each OAuth client stands for one person: client `maria` (secret `secret`) gets access tokens
// whose `preferred_username` is `maria`; `maria-short` gets the same person's tokens that
// expire after 1 second, `maria-early` tokens not valid for another hour (`nbf`). The resource
// `urn:caseledger` is issued for audience `caseledger`, any other resource for audience
// `other`. Tokens are JWTs signed with the first key of KEYS.
//
// A web client (WEB_CLIENTS) is a public client of the authorization code flow with PKCE, the
// web dashboard's: its users sign in on the provider's own login page with any password, and
// their tokens' `preferred_username` is the login they typed.
//
// Environment:
//   KEY_DIR   where keys live (made when missing), one private JWK per file NAME.json
//   KEYS      comma-separated key names; the first signs, all are published (default: k1)
//   CLIENTS   comma-separated client ids (default: maria,maria-short,maria-early,nobody)
//   WEB_CLIENTS  comma-separated `client_id=redirect_uri` public clients (default: none)
//   PORT      port to listen on (default 0: a free one)
// Prints `issuer=http://127.0.0.1:PORT` on stdout once it answers.

import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import Provider from 'oidc-provider';

const keyDir = process.env.KEY_DIR ?? '.';
const keyNames = (process.env.KEYS ?? 'k1').split(',').filter(Boolean);
const clientIds = (process.env.CLIENTS ?? 'maria,maria-short,maria-early,nobody')
  .split(',')
  .filter(Boolean);

mkdirSync(keyDir, { recursive: true });
const keys = keyNames.map((name) => {
  const path = join(keyDir, `${name}.json`);
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: name, alg: 'RS256', use: 'sig' };
    writeFileSync(path, JSON.stringify(jwk), { mode: 0o600 });
  }
  return JSON.parse(readFileSync(path, 'utf8'));
});

// The person a client stands for: its id up to the first dash.
const person = (clientId) => clientId.split('-')[0];

const webClients = (process.env.WEB_CLIENTS ?? '')
  .split(',')
  .filter(Boolean)
  .map((pair) => {
    const [id, redirect] = pair.split('=');
    return {
      client_id: id,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [redirect],
      token_endpoint_auth_method: 'none',
    };
  });

const server = createServer();
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    jwks: { keys },
    clients: [
      ...clientIds.map((id) => ({
        client_id: id,
        client_secret: 'secret',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_post',
      })),
      ...webClients,
    ],
    // The provider's own login and consent pages, for the web clients' users.
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    features: {
      devInteractions: { enabled: webClients.length > 0 },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:caseledger',
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource, client) => ({
          scope: 'api',
          audience: resource === 'urn:caseledger' ? 'caseledger' : 'other',
          accessTokenFormat: 'jwt',
          accessTokenTTL: client.clientId.endsWith('-short') ? 1 : 600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    formats: {
      customizers: {
        jwt: (_ctx, token, jwt) => {
          jwt.payload.preferred_username = token.accountId ?? person(token.clientId);
          if (token.clientId.endsWith('-early')) {
            jwt.payload.nbf = Math.floor(Date.now() / 1000) + 3600;
          }
        },
      },
    },
  });
  server.on('request', provider.callback());
  console.log(`issuer=${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
