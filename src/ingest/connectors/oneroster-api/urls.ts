import { ONEROSTER_BASE_PATHS } from '../core/index.js';

export type OneRosterVersionChoice = '1.0' | '1.1' | '1.2' | 'auto';

/** 1.0 base paths: the standard one, and the older `learningdata/v1` (Infinite Campus 1.0). */
export const ONEROSTER_1P0_BASE_PATHS = ['/ims/oneroster/v1p0', '/learningdata/v1'] as const;

/** Every base path the connector knows, newest version first. */
export const ALL_BASE_PATHS: readonly string[] = [...ONEROSTER_BASE_PATHS, ...ONEROSTER_1P0_BASE_PATHS];

/** The OneRoster version a base path serves ("custom" for a server's own path). */
export function versionOfPath(basePath: string): '1.0' | '1.1' | '1.2' | 'custom' {
  if (/v1p2\/?$/.test(basePath)) return '1.2';
  if (/v1p1\/?$/.test(basePath)) return '1.1';
  if ((ONEROSTER_1P0_BASE_PATHS as readonly string[]).some((p) => basePath.endsWith(p))) return '1.0';
  return 'custom';
}

const trim = (u: string) => u.replace(/\/+$/, '');

/**
 * Splits the configured URL: a full base (its path ends in a known base path) is used as it is; any
 * other URL is the server root (or vendor prefix) under which base paths are probed.
 */
export function splitBaseUrl(baseUrl: string): { root: string; fullBase?: { url: string; path: string } } {
  const url = trim(baseUrl);
  const { pathname } = new URL(url);
  const path = ALL_BASE_PATHS.find((p) => pathname.endsWith(p));
  if (!path) return { root: url };
  return { root: url.slice(0, url.length - path.length), fullBase: { url, path } };
}

/** The base paths to try for a version choice; `auto` ends with the URL itself (a server with a path of its own). */
export function candidatesFor(version: OneRosterVersionChoice): string[] {
  if (version === '1.2') return ALL_BASE_PATHS.filter((p) => versionOfPath(p) === '1.2');
  if (version === '1.1') return ALL_BASE_PATHS.filter((p) => versionOfPath(p) === '1.1');
  if (version === '1.0') return [...ONEROSTER_1P0_BASE_PATHS];
  return [...ALL_BASE_PATHS, ''];
}

/** OAuth 2 token URL: the configured one, else `<root>/oauth/token`. */
export function defaultTokenUrl(root: string): string {
  return `${trim(root)}/oauth/token`;
}
