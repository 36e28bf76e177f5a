import type { Knex } from 'knex';
import { pgNonceStore, verifyOAuth1 } from '../../auth/oauth1.js';
import type { KeyRing } from '../../crypto/key-ring.js';
import { RollcallError } from '../../errors.js';
import type { OneRosterVersion } from '../../model/vocab.js';
import { principalForClient, principalForToken, type Principal } from './principal.js';

export type AuthDeps = { knex: Knex; keyRing?: KeyRing };

const unauthorized = (message: string) => new RollcallError('unauthorized', message);

/** The request as OAuth 1.0a verification needs it. */
export type SignedRequest = { method: string; url: string; authorization?: string; formBody?: Record<string, string | string[]> };

/**
 * Who is calling: a bearer token from POST /oauth/token on both bases, or (1.1 only) an OAuth
 * 1.0a-signed request whose consumer key is the client id. Anything else is 401 unauthorisedrequest.
 */
export async function authenticate(deps: AuthDeps, version: OneRosterVersion, req: SignedRequest): Promise<Principal> {
  const header = req.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) {
    const principal = await principalForToken(deps.knex, bearer[1]!);
    if (!principal) throw unauthorized('The access token is unknown, expired or revoked; get a new one from POST /oauth/token');
    return principal;
  }
  if (/^OAuth\s/i.test(header)) {
    if (version !== '1.1') throw unauthorized('OneRoster 1.2 accepts only OAuth 2.0 bearer tokens; get one from POST /oauth/token');
    const result = await verifyOAuth1(req, {
      lookupSecret: (clientId) => sealedSecretOf(deps, clientId),
      rememberNonce: pgNonceStore(deps.knex).rememberNonce,
    });
    if (!result.ok) throw unauthorized(`OAuth 1.0a signature refused: ${result.reason}`);
    const principal = await principalForClient(deps.knex, result.consumerKey);
    if (!principal) throw unauthorized('OAuth 1.0a signature refused: unknown consumer key');
    return principal;
  }
  throw unauthorized(
    version === '1.1'
      ? 'Send Authorization: Bearer <token> (from POST /oauth/token) or sign the request with OAuth 1.0a'
      : 'Send Authorization: Bearer <token> (from POST /oauth/token)',
  );
}

/** The client's secret for HMAC verification, opened from its sealed copy; undefined when it cannot sign. */
async function sealedSecretOf(deps: AuthDeps, clientId: string): Promise<string | undefined> {
  const row = (await deps.knex.raw('select secret_sealed from api_clients where client_id = ? and not disabled', [clientId])).rows[0] as
    | { secret_sealed: string | null }
    | undefined;
  if (!row?.secret_sealed || !deps.keyRing) return undefined;
  return deps.keyRing.open(row.secret_sealed);
}
