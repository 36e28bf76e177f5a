import { z } from 'zod';
import { invalidInput } from '../errors.js';

/**
 * Parses input with a zod schema; a failure becomes one RollcallError invalid_input whose message
 * lists each problem as `path: message` (never the offending value, which may be a secret).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'input'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return fail(`invalid ${what}: ${text}`, issues);
}

function fail(message: string, issues: Array<{ path: string; message: string }>): never {
  throw invalidInput(message, { issues });
}
