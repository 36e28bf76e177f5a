/** Small builders for the JSON Schema objects of the OpenAPI documents. */
export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const withDescription = (s: Schema, description?: string): Schema => (description ? { ...s, description } : s);

export const str = (description?: string, extra: Schema = {}): Schema => withDescription({ type: 'string', ...extra }, description);
export const date = (description?: string): Schema => str(description, { format: 'date' });
export const dateTime = (description?: string): Schema => str(description, { format: 'date-time' });
export const uri = (description?: string): Schema => str(description, { format: 'uri' });

/** OneRoster booleans travel as the strings "true" and "false". */
export const boolString = (description?: string): Schema => str(description, { enum: ['true', 'false'] });

export const arrayOf = (items: Schema, description?: string, minItems?: number): Schema =>
  withDescription({ type: 'array', ...(minItems ? { minItems } : {}), items }, description);

export const strings = (description?: string): Schema => arrayOf({ type: 'string' }, description);

/** 1.2 (and, as Rollcall stores 1.2 data, 1.1 as served) allows `ext:` values beside each vocabulary. */
export const EXT_PATTERN = '^ext:[a-zA-Z0-9.\\-_]+$';

export function vocabulary(values: readonly string[], description: string, allowExt: boolean): Schema {
  if (!allowExt) return { type: 'string', enum: [...values], description };
  return {
    description: `${description} An extension value of the form \`ext:<name>\` may appear instead.`,
    anyOf: [{ type: 'string', enum: [...values] }, { type: 'string', pattern: EXT_PATTERN }],
  };
}

export function object(properties: Record<string, Schema>, required: string[], description: string, additionalProperties = false): Schema {
  for (const r of required) if (!(r in properties)) throw new Error(`required property ${r} is not defined`);
  return { type: 'object', description, properties, ...(required.length ? { required } : {}), additionalProperties };
}
