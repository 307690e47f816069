// A real OpenID provider for Hireloop's tests: panva's oidc-provider (OpenID Certified), on 127.0.0.1.
//
// Started by tests/oidc/provider.py with one argument, a JSON file:
//   { "port": 40123, "issuer": "http://127.0.0.1:40123",
//     "client": { "client_id": "...", "client_secret": "...", "redirect_uris": ["..."] },
//     "accountsFile": "/tmp/.../accounts.json",   // re-read at every lookup, so a test can change someone's groups
//     "idTokenTtl": 3600,                          // seconds
//     "clockSkewSeconds": 0,                       // this process's clock runs this far ahead (negative: behind)
//     "publishForeignKey": false }                 // sign with one key, publish another under the same kid
// accounts.json: { "<login>": { "sub": "...", "email": "...", "email_verified": true, "given_name": "...",
//                  "family_name": "...", "groups": ["..."] } }; any claim left out is not sent.
// Signing in uses the library's development login page: the login is the account's `sub` (any password).
// It prints "listening <issuer>" once it answers.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

if (config.clockSkewSeconds) {
  // Every time oidc-provider stamps (iat, exp, code and session lifetimes) comes from Date.now().
  const realNow = Date.now;
  Date.now = () => realNow() + config.clockSkewSeconds * 1000;
}

function signingKey(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

function publicPart({ kty, n, e, kid, alg, use }) {
  return { kty, n, e, kid, alg, use };
}

const kid = `test-${randomBytes(4).toString('hex')}`;
const key = signingKey(kid);
const foreignJwks = config.publishForeignKey ? { keys: [publicPart(signingKey(kid))] } : null;

function accounts() {
  return JSON.parse(readFileSync(config.accountsFile, 'utf8'));
}

async function findAccount(ctx, id) {
  const found = Object.values(accounts()).find((account) => account.sub === id);
  if (!found) return undefined;
  return {
    accountId: found.sub,
    async claims() {
      // What the granted scopes allow is filtered by oidc-provider from this full set.
      return {
        ...found,
        name: [found.given_name, found.family_name].filter(Boolean).join(' ') || undefined,
      };
    },
  };
}

const provider = new Provider(config.issuer, {
  clients: [{
    ...config.client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // PKCE for every client, confidential ones included (as OAuth 2.1 and Hireloop do).
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name'],
    groups: ['groups'],
  },
  findAccount,
  jwks: { keys: [key] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // Cookies' expiry dates follow this process's clock: an hour keeps them alive with a skewed clock too.
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    Grant: 3600,
    IdToken: config.idTokenTtl ?? 3600,
    Interaction: 3600,
    Session: 3600,
  },
  features: { devInteractions: { enabled: true } },
  // A company's own application is trusted by its provider: no consent screen, as with Okta or Entra ID
  // when an administrator has assigned the application.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
});

// Failures show in the log the test fixture prints when a sign-in goes wrong.
for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error']) {
  provider.on(event, (ctx, error) => console.error(`${event}: ${error.stack || error}`));
}

if (foreignJwks) {
  provider.use(async (ctx, next) => {
    if (ctx.path === '/jwks') {
      ctx.type = 'application/jwk-set+json';
      ctx.body = foreignJwks;
      return;
    }
    await next();
  });
}

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${config.issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
