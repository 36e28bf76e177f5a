import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import type { OneRosterVersion } from '../../model/vocab.js';
import { BASE_PATH } from '../oneroster/handlers.js';
import { buildOpenApi } from './build.js';

/** The file names under `{1.2 base}/discovery/` (binding §2.5 and the conformance guide use different ones). */
export const DISCOVERY_FILES = ['onerosterv1p2rostersservice_openapi3_v1p0.json', 'imsorv1p2_rostering_openapi3_v1p0.json'] as const;

const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** The only files of swagger-ui-dist that /docs serves. */
const SWAGGER_UI_FILES = new Set([
  'swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'oauth2-redirect.html', 'oauth2-redirect.js',
  'favicon-16x16.png', 'favicon-32x32.png',
]);

/** Starts Swagger UI from the settings the page carries in data attributes (no inline script). */
const START_SCRIPT = `(function () {
  var el = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    urls: JSON.parse(el.getAttribute('data-urls')),
    'urls.primaryName': el.getAttribute('data-primary'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    oauth2RedirectUrl: el.getAttribute('data-oauth2-redirect'),
    showExtensions: false,
    tryItOutEnabled: false
  });
})();
`;

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function page(origin: string): string {
  const urls = [
    { url: `${origin}/openapi/oneroster-v1p2.json`, name: 'OneRoster 1.2' },
    { url: `${origin}/openapi/oneroster-v1p1.json`, name: 'OneRoster 1.1' },
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rollcall OneRoster API reference</title>
<link rel="stylesheet" href="${origin}/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="${origin}/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui" data-urls="${escapeAttr(JSON.stringify(urls))}" data-primary="OneRoster 1.2" data-oauth2-redirect="${escapeAttr(`${origin}/docs/oauth2-redirect.html`)}"></div>
<noscript>The API reference needs JavaScript. The documents themselves: <a href="${escapeAttr(urls[0]!.url)}">OneRoster 1.2</a>, <a href="${escapeAttr(urls[1]!.url)}">OneRoster 1.1</a>.</noscript>
<script src="${origin}/docs/swagger-ui-bundle.js"></script>
<script src="${origin}/docs/swagger-ui-standalone-preset.js"></script>
<script src="${origin}/docs/rollcall-docs.js"></script>
</body>
</html>
`;
}

/**
 * The OpenAPI documents and the interactive reference, without authentication:
 * - `{1.2 base}/discovery/` and its two file names, `{1.1 base}/discovery/`: the version's document;
 * - `/openapi/oneroster-v1p1.json`, `/openapi/oneroster-v1p2.json`;
 * - `/docs`: Swagger UI (from swagger-ui-dist, no CDN) over both documents, with the OAuth 2.0
 *   client-credentials flow usable from the page.
 * Server and token URLs point at `publicUrl`, or else at the request's own origin. Mount it before
 * the OneRoster routers, whose authentication would otherwise answer the discovery paths.
 */
export function createDocsRouter(opts: { publicUrl?: string } = {}): express.Router {
  const router = express.Router();
  const origin = (req: Request) => opts.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;

  // Documents by version and origin; bounded, as the origin comes from the Host header.
  const texts = new Map<string, string>();
  const documentText = (version: OneRosterVersion, req: Request) => {
    const o = origin(req);
    const key = `${version} ${o}`;
    let text = texts.get(key);
    if (text === undefined) {
      if (texts.size >= 32) texts.clear();
      text = JSON.stringify(buildOpenApi(version, o), null, 2);
      texts.set(key, text);
    }
    return text;
  };
  const serve = (version: OneRosterVersion) => (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-cache').set('Access-Control-Allow-Origin', '*').type('application/json').send(documentText(version, req));
  };

  router.get([...DISCOVERY_FILES.map((f) => `${BASE_PATH['1.2']}/discovery/${f}`), `${BASE_PATH['1.2']}/discovery/`, '/openapi/oneroster-v1p2.json'], serve('1.2'));
  router.get([`${BASE_PATH['1.1']}/discovery/`, '/openapi/oneroster-v1p1.json'], serve('1.1'));

  router.get('/docs', (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-cache').type('html').send(page(origin(req)));
  });
  router.get('/docs/rollcall-docs.js', (_req: Request, res: Response) => {
    res.type('application/javascript').send(START_SCRIPT);
  });
  router.get('/docs/:file', (req: Request, res: Response, next) => {
    const file = String(req.params.file);
    if (!SWAGGER_UI_FILES.has(file)) return next();
    res.sendFile(path.join(SWAGGER_UI_DIR, file), { maxAge: '1d' });
  });

  return router;
}
