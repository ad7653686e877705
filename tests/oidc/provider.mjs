// A real OpenID Connect provider (oidc-provider, strict: exact redirect URIs, PKCE) for tests.
// Usage: node provider.mjs PORT REDIRECT_URI
// Accounts: any login name; its claims are name "User <login>", email "<login>@example.com", and
// groups: "leads" and "oncall" for logins starting with "lead", "oncall" for "op…", none otherwise.
// A login starting with "unverified" claims boss@example.com, with email_verified false.
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'opsdeck',
    client_secret: 'opsdeck-test-secret',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'], groups: ['groups'] },
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({
      sub: id,
      name: `User ${id}`,
      email: id.startsWith('unverified') ? 'boss@example.com' : `${id}@example.com`,
      email_verified: !id.startsWith('unverified'),
      groups: id.startsWith('lead') ? ['leads', 'oncall'] : id.startsWith('op') ? ['oncall'] : [],
    }),
  }),
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc provider ready at ${issuer}`));
