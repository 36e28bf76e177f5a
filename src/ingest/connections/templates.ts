import { RollcallError } from '../../errors.js';

/**
 * Provider templates: a vendor's usual settings for one of the shipped connectors, so an admin
 * fills in only the host, the names and the secrets. `fill` lists what is still needed; `{host}`
 * and `{appName}` in the settings are replaced by the values given (shared/spec/vendors.md).
 */
export type Template = {
  id: string;
  label: string;
  provider: string;
  config: Record<string, unknown>;
  /** What the admin supplies: placeholders in `config` and the credential fields. */
  fill: string[];
};

export const TEMPLATES: readonly Template[] = [
  {
    id: 'infinite-campus-1p2', label: 'Infinite Campus (OneRoster 1.2)', provider: 'oneroster-api',
    config: { baseUrl: 'https://{host}/campus/api/oneroster/v1p2/{appName}', version: '1.2', auth: 'oauth2', tokenUrl: 'https://{host}/campus/oauth2/token', tokenParams: { appName: '{appName}' } },
    fill: ['host', 'appName', 'credentials.clientId', 'credentials.clientSecret'],
  },
  {
    id: 'infinite-campus-1p1', label: 'Infinite Campus (OneRoster 1.1, OAuth 1.0a)', provider: 'oneroster-api',
    config: { baseUrl: 'https://{host}/campus/oneroster/{appName}', version: '1.1', auth: 'oauth1', oauth1Method: 'HMAC-SHA256' },
    fill: ['host', 'appName', 'credentials.clientId', 'credentials.clientSecret'],
  },
  {
    id: 'classlink', label: 'ClassLink OneRoster (1.1)', provider: 'oneroster-api',
    config: { baseUrl: 'https://{host}', version: '1.1', auth: 'oauth1', oauth1Method: 'HMAC-SHA1' },
    fill: ['host', 'credentials.clientId', 'credentials.clientSecret'],
  },
  {
    id: 'aeries-oneroster', label: 'Aeries OneRoster (1.1, OAuth 2)', provider: 'oneroster-api',
    config: { baseUrl: 'https://{host}', version: '1.1', auth: 'oauth2', tokenUrl: 'https://{host}/token', budgetPerMinute: 60 },
    fill: ['host', 'credentials.clientId', 'credentials.clientSecret'],
  },
  {
    id: 'oneroster-api', label: 'OneRoster API (any 1.0, 1.1 or 1.2 server)', provider: 'oneroster-api',
    config: { baseUrl: 'https://{host}', version: 'auto', auth: 'oauth2' },
    fill: ['host', 'credentials.clientId', 'credentials.clientSecret'],
  },
  { id: 'clever', label: 'Clever (district app)', provider: 'clever', config: {}, fill: ['credentials.clientId', 'credentials.clientSecret'] },
  {
    id: 'sftp-csv', label: 'Nightly OneRoster CSV drop over SFTP', provider: 'oneroster-csv',
    config: { transport: 'sftp', host: '{host}', path: '/outbound' },
    fill: ['host', 'config.username', 'credentials.password or credentials.privateKey', 'config.hostKeySha256 (recommended)'],
  },
];

/** The template's provider and settings with its placeholders filled; the given settings win over the template's. */
export function fromTemplate(id: string, values: Record<string, string>, config: Record<string, unknown>): { provider: string; config: Record<string, unknown> } {
  const t = TEMPLATES.find((x) => x.id === id);
  if (!t) throw new RollcallError('invalid_input', `Unknown template "${id}"; known: ${TEMPLATES.map((x) => x.id).join(', ')}`);
  const text = JSON.stringify(t.config).replace(/\{(\w+)\}/g, (m, name: string) => {
    if (values[name] === undefined) throw new RollcallError('invalid_input', `Template ${id} needs --${name === 'appName' ? 'app-name' : name} <value>`);
    return JSON.stringify(values[name]).slice(1, -1);
  });
  return { provider: t.provider, config: { ...JSON.parse(text), ...config } };
}
