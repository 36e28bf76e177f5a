/** The request an auth provider is asked to authorise (OAuth 1.0a signs the final URL). */
export interface AuthRequest {
  method: string;
  url: URL;
}

/**
 * How a connection proves who it is. The HTTP client asks for headers on every attempt, calls
 * `refresh` once after a 401 (and repeats the request when it returns true), and scrubs
 * `secrets()` from every message and log.
 */
export interface AuthProvider {
  authorize(req: AuthRequest): Record<string, string> | Promise<Record<string, string>>;
  /** New credentials after a 401; `sent` are the headers the refused attempt carried. */
  refresh?(sent: Record<string, string>): Promise<boolean>;
  secrets(): Iterable<string>;
}

/** Fixed headers, e.g. Aeries' `AERIES-CERT` or an API key. */
export function headerAuth(headers: Record<string, string>): AuthProvider {
  return { authorize: () => ({ ...headers }), secrets: () => Object.values(headers) };
}

export type TokenFetcher = () => Promise<string>;

/**
 * A bearer token fetched on first use and again after a 401. Concurrent 401s cause one fetch: a
 * request refused with an older token than the current one just goes again with the current one.
 */
export function bearerTokenAuth(fetchToken: TokenFetcher): AuthProvider {
  const seen = new Set<string>();
  let current: Promise<string> | undefined;
  const fetchNew = () => {
    const p = fetchToken().then((t) => (seen.add(t), t));
    p.catch(() => (current === p ? (current = undefined) : undefined));
    return (current = p);
  };
  return {
    async authorize() {
      return { authorization: `Bearer ${await (current ?? fetchNew())}` };
    },
    async refresh(sent) {
      const used = sent.authorization;
      const now = current ? `Bearer ${await current.catch(() => '')}` : undefined;
      if (now !== undefined && now !== used) return true; // someone already refreshed
      await fetchNew();
      return true;
    },
    secrets: () => seen,
  };
}
