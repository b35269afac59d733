// A local OpenID provider shaped like ID-porten (patients) or HelseID (staff),
// built on the certified `oidc-provider` package. Used by the tests (started
// by a fixture on loopback) and by `make run-eid`.
//
//   node provider.js config.json
//
// config.json: {
//   "port": 0,                       // 0: any free port
//   "pid_claim": "pid",              // where the national identity number goes
//   "acr": "idporten-loa-high",      // the acr it issues (tests change it at run time)
//   "accounts": {"sub-1": {"pid": "01017012345", "name": "Mona Berg"}},
//   "clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": [...],
//                "post_logout_redirect_uris": [...]}],
//   "test_control": true             // POST /_test/next-login {"account", "acr"}
// }
// It prints one line, "listening <issuer>", once it accepts connections.
//
// Without a test's "next login" the login page lists the accounts as buttons,
// like ID-porten's test identities.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const pidClaim = config.pid_claim || 'pid';
let issuedAcr = config.acr || 'idporten-loa-high';
let nextLogin = null;

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => {
      data += chunk;
      if (data.length > 10000) reject(new Error('too large'));
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function page(res, status, title, body) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
    `<body><h1>${escape(title)}</h1>${body}</body></html>`);
}

const server = createServer();
server.listen(config.port || 0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients,
    acrValues: ['idporten-loa-high', 'idporten-loa-substantial', 'idporten-loa-low'],
    claims: { openid: ['sub', pidClaim], profile: ['name'] },
    // ID-porten and HelseID put the identity number in the ID token itself.
    conformIdTokenClaims: false,
    cookies: { keys: ['nattlys-test-provider-only'] },
    findAccount(ctx, id) {
      const account = config.accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, [pidClaim]: account.pid, name: account.name };
        },
      };
    },
    // First-party clients: no consent screen.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Logg ut</title></head><body>
            <h1>Logge ut fra testleverandøren?</h1>${form}
            <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Ja, logg ut</button>
            </body></html>`;
        },
      },
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, IdToken: 300, AccessToken: 300 },
  });

  async function finishLogin(req, res, accountId, acr) {
    await provider.interactionFinished(req, res, { login: { accountId, acr, amr: ['TestID'] } }, {
      mergeWithLastSubmission: false,
    });
  }

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url, issuer);
      if (config.test_control && url.pathname === '/_test/next-login' && req.method === 'POST') {
        const body = JSON.parse((await readBody(req)) || '{}');
        nextLogin = body.account || null;
        if (body.acr) issuedAcr = body.acr;
        res.writeHead(204);
        res.end();
        return;
      }
      const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
      if (interaction) {
        await provider.interactionDetails(req, res); // 4xx if the interaction is unknown
        if (interaction[2] && req.method === 'POST') {
          const account = new URLSearchParams(await readBody(req)).get('account');
          if (!config.accounts[account]) return page(res, 400, 'Ukjent testperson', '');
          return await finishLogin(req, res, account, issuedAcr);
        }
        if (nextLogin) {
          const account = nextLogin;
          nextLogin = null;
          return await finishLogin(req, res, account, issuedAcr);
        }
        const buttons = Object.entries(config.accounts)
          .map(([id, a]) => `<button type="submit" name="account" value="${escape(id)}">${escape(a.name)}</button>`)
          .join(' ');
        return page(res, 200, 'Testleverandør for eID: velg testperson',
          `<form method="post" action="/interaction/${escape(interaction[1])}/login">${buttons}</form>`);
      }
      callback(req, res);
    } catch (err) {
      if (!res.headersSent) page(res, err.statusCode || 500, err.message || 'error', '');
    }
  });
  process.stdout.write(`listening ${issuer}\n`);
});
