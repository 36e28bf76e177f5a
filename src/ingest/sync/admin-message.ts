import { RollcallError } from '../../errors.js';

/** The message an admin can act on: connector errors and RollcallErrors carry one; anything else is summarised. */
export function adminMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'adminMessage' in err && typeof err.adminMessage === 'string') return err.adminMessage;
  if (err instanceof RollcallError) return err.message;
  return 'an unexpected error occurred; the server log has the details';
}
