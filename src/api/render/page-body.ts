/**
 * Response bodies around records the database rendered as JSON text: the envelope is written here,
 * the records are copied in as they are (never parsed and stringified again).
 */
const tail = (statusInfoSet: unknown[] | undefined) => (statusInfoSet ? `,"statusInfoSet":${JSON.stringify(statusInfoSet)}}` : '}');

/** `{"<key>":[<records>]}`, with the 1.1 warnings as `statusInfoSet` when there are any. */
export function collectionBody(key: string, rows: ReadonlyArray<{ json: string }>, statusInfoSet?: unknown[]): string {
  let body = `{${JSON.stringify(key)}:[`;
  for (let i = 0; i < rows.length; i++) body += (i ? ',' : '') + rows[i]!.json;
  return `${body}]${tail(statusInfoSet)}`;
}

/** `{"<key>":<record>}`, with the 1.1 warnings as `statusInfoSet` when there are any. */
export function singleBody(key: string, json: string, statusInfoSet?: unknown[]): string {
  return `{${JSON.stringify(key)}:${json}${tail(statusInfoSet)}`;
}
