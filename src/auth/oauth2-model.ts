import type { Knex } from 'knex';
import type { ClientCredentialsModel, Client, Token, User } from '@node-oauth/oauth2-server';
import { verifySecret } from './secrets.js';
import { storeToken } from './tokens.js';

type RollcallClient = Client & { tenant: string; scopes: string[] };

/**
 * The storage side of the OAuth 2.0 client-credentials grant for @node-oauth/oauth2-server:
 * clients are API clients (secret verified against its scrypt hash), tokens are kept as SHA-256
 * hashes in access_tokens, and a requested scope must be a subset of the client's grant
 * (no scope requested = everything the client is allowed).
 */
export function oauth2Model(knex: Knex): ClientCredentialsModel {
  return {
    async getClient(clientId: string, clientSecret: string): Promise<RollcallClient | false> {
      const row = (await knex.raw('select client_id, tenant_id, secret_hash, scopes from api_clients where client_id = ? and not disabled', [clientId])).rows[0];
      if (!row || !clientSecret || !(await verifySecret(clientSecret, row.secret_hash))) return false;
      return { id: row.client_id, grants: ['client_credentials'], tenant: row.tenant_id, scopes: row.scopes };
    },

    async getUserFromClient(client: Client): Promise<User> {
      return { clientId: client.id }; // client credentials: the client acts for itself
    },

    async validateScope(_user: User, client: Client, scope?: string[]): Promise<string[] | false> {
      const granted = (client as RollcallClient).scopes;
      if (!scope || scope.length === 0) return granted;
      return scope.every((s) => granted.includes(s)) ? [...new Set(scope)] : false;
    },

    async saveToken(token: Token, client: Client, user: User): Promise<Token> {
      await storeToken(knex, 'oneroster', client.id, token.accessToken, token.scope ?? [], token.accessTokenExpiresAt!);
      return { ...token, client, user };
    },

    // Only the client-credentials grant is offered; bearer tokens are checked by api/auth/principal.
    async getAccessToken(): Promise<Token | false> {
      return false;
    },
  };
}
