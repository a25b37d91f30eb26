// A real OpenID Connect provider (the npm package oidc-provider) for the sign-in tests, on loopback.
// Its development sign-in form takes any login name: the accounts below give each name its claims.
//   node oidc_provider.mjs <port> <redirect uri> [clock offset in ms]
// The suite runs on a frozen calendar: the offset puts the provider's clock on the service's day, so
// its tokens are not dated in the future (or past) to the service. The browser keeps cookies by the
// real clock, so the provider's cookies last long enough to cover the offset.
import Provider from "oidc-provider";

const [port, redirectUri, offset = "0"] = process.argv.slice(2);
const realNow = Date.now;
Date.now = () => realNow() + Number(offset);
const skew = Math.ceil(Math.abs(Number(offset)) / 1000);
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
  ttl: { Interaction: skew + 3600, Session: skew + 86400, Grant: skew + 86400 },
  // Put the claims in the ID token as well: the service reads them from the user-info endpoint too.
  conformIdTokenClaims: false,
});
provider.proxy = false;
provider.listen(Number(port), "127.0.0.1", () => console.log(`ready ${port}`));
