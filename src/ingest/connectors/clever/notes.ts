import type { EntityName } from '../../../model/entities.js';
import type { CleverCtx } from './session.js';
import { plural } from './session.js';
import { text } from './map.js';
import type { CleverSection } from './wire.js';

/** A note for the admin in the run's report (once per message), and the same line in the log. */
export function note(ctx: CleverCtx, entity: EntityName, message: string): void {
  ctx.log.warn({ entity, note: message }, 'clever connector note');
  if (typeof ctx.note === 'function') ctx.note(entity, message);
}

/** The sharing-settings hint: Clever sends students without email when the district does not share them. */
export function missingEmailHint(n: number): string {
  return `Clever shares no email for ${plural(n, 'student')}: ask the district to share student emails in Clever's sharing settings`;
}

const example = (s: CleverSection) => `"${text(s.name) ?? text(s.section_number) ?? s.id}" (${s.id})`;

export function termlessClassesNote(sections: CleverSection[]): string {
  return `${plural(sections.length, 'Clever section has', 'Clever sections have')} no term, e.g. ${sections.slice(0, 3).map(example).join(', ')}: `
    + 'their classes were skipped (a OneRoster class needs a term); assign a term to these sections in the SIS that feeds Clever, and they arrive with the next sync';
}

export function termlessEnrollmentsNote(sections: number, enrollments: number): string {
  return `${plural(enrollments, 'enrollment')} of ${plural(sections, 'section')} without a term were not brought in (see the note under classes)`;
}

export function placeholderCoursesNote(sections: CleverSection[]): string {
  return `${plural(sections.length, 'Clever section has', 'Clever sections have')} no course, e.g. ${sections.slice(0, 3).map(example).join(', ')}: `
    + 'each got a placeholder course named after the section (sourcedId "<section id>-course"); assign courses to these sections in the SIS to replace them';
}

export function datelessTermsNote(ids: string[]): string {
  return `${plural(ids.length, 'Clever term has', 'Clever terms have')} no start or end date (${ids.slice(0, 3).join(', ')}): `
    + 'they and their classes were skipped; set the term dates in the SIS that feeds Clever';
}

export function contactsNotSharedNote(): string {
  return 'Clever shares no contacts with this application: guardians are not brought in (turn on contacts in the application\'s sharing settings in Clever if they are wanted)';
}
