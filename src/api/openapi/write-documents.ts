import fs from 'node:fs';
import path from 'node:path';
import { buildOpenApi } from './build.js';

/** The server URL of the committed documents. */
export const COMMITTED_SERVER_URL = 'http://localhost:8080';

/** The committed documents: file name (in openapi/) and version. */
export const COMMITTED_DOCUMENTS = [
  { file: 'oneroster-v1p1.json', version: '1.1' },
  { file: 'oneroster-v1p2.json', version: '1.2' },
] as const;

export const OPENAPI_DIR = path.resolve(import.meta.dirname, '../../../openapi');

/** The exact text written for a document. */
export const documentText = (version: '1.1' | '1.2') => `${JSON.stringify(buildOpenApi(version, COMMITTED_SERVER_URL), null, 2)}\n`;

// `npm run openapi`: (re)writes openapi/oneroster-v1p1.json and openapi/oneroster-v1p2.json.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  for (const { file, version } of COMMITTED_DOCUMENTS) {
    const target = path.join(OPENAPI_DIR, file);
    fs.writeFileSync(target, documentText(version));
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
  }
}
