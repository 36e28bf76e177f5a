import { what } from '../error-rules.js';
import { defineProfile } from '../profile.js';

/** Microsoft Graph / Entra ID: client credentials; 429 with Retry-After in seconds; `{"error": {"code"}}`. */
export const graph = defineProfile({
  vendor: 'graph',
  displayName: 'Microsoft',
  errorRules: [
    {
      id: 'graph-wrong-secret', when: { code: 'invalid_client', message: /AADSTS7000215/ }, category: 'auth',
      admin: (f) => `${f.status} invalid_client from Microsoft: the client secret is wrong (use the secret's Value, not its Secret ID, from the app registration in Entra ID)`,
    },
    {
      id: 'graph-unknown-app', when: { code: 'unauthorized_client', message: /AADSTS700016/ }, category: 'auth',
      admin: (f) => `${f.status} unauthorized_client from Microsoft: the application id is not registered in this tenant (check the client id and tenant in the connection settings)`,
    },
    {
      id: 'graph-denied', when: { status: 403 }, category: 'permission',
      admin: (f) => `403 from Microsoft: the app registration lacks the application permission to read ${what(f)} (grant User.Read.All, Group.Read.All or EduRoster.Read.All with admin consent in Entra ID)`,
    },
    {
      id: 'graph-delta-expired', when: { code: ['syncStateNotFound', 'resyncRequired'] }, category: 'rejected',
      admin: (f) => `${f.status} ${f.vendorCode} from Microsoft: the change token for ${what(f)} has expired (more than 7 days since the last sync): a full sync is needed`,
    },
  ],
});
