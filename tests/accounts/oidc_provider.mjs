// A real OpenID Connect provider (the npm package oidc-provider) for the sign-in tests, on loopback.
// Its development sign-in form takes any login name: the accounts below give each name its claims.
//   node oidc_provider.mjs <port> <redirect uri>
import Provider from "oidc-provider";

const [port, redirectUri] = process.argv.slice(2);
const accounts = {
  "priya": { email: "priya.shah@northshire.example", email_verified: true },
  "unverified": { email: "northshire-finance@example.org", email_verified: false },
  "stranger": { email: "stranger@example.org", email_verified: true },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: "selfdirect",
    client_secret: "a-test-client-secret",
    redirect_uris: [redirectUri],
    response_types: ["code"],
    grant_types: ["authorization_code"],
  }],
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, ...(accounts[id] || { email: `${id}@example.org`, email_verified: true }) }),
  }),
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  // Put the claims in the ID token as well: the service reads them from the user-info endpoint too.
  conformIdTokenClaims: false,
});
provider.proxy = false;
provider.listen(Number(port), "127.0.0.1", () => console.log(`ready ${port}`));
