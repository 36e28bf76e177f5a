import type { EntityName } from '../../../model/entities.js';
import type { OneRosterVersion } from '../../../model/vocab.js';
import type { RowReader } from '../row-reader.js';

/** What a file mapper may look up while building records (filled as earlier files apply). */
export type MapContext = {
  version: OneRosterVersion;
  /** org sourcedId -> org type, for mapping 1.1 `administrator` to a 1.2 role. */
  orgTypes: Map<string, string>;
  /** 1.2 roles.csv / userProfiles.csv rows, gathered before users.csv, by user sourcedId. */
  rolesByUser: Map<string, Array<Record<string, unknown>>>;
  profilesByUser: Map<string, Array<Record<string, unknown>>>;
};

export type CsvFileSpec = {
  file: string;
  /** The manifest key naming this file's mode, e.g. `file.users`. */
  manifestKey: string;
  /** Where its rows go: a store entity, or a 1.2 side file folded into users. */
  target: EntityName | 'roles' | 'userProfiles';
  versions: OneRosterVersion[];
  /** Every known column per version; those in `required` must be present in the header. */
  columns: Partial<Record<OneRosterVersion, { all: string[]; required: string[] }>>;
  /**
   * Its records depend on the mapping context (users: the org types, 1.2's roles and profiles), so
   * it is read once every file that fills the context has had its turn; other files are read
   * ahead, while the file before them is applied.
   */
  readsContext?: true;
  /** Its turn fills the mapping context: orgs.csv (the org types, read back from the store), 1.2's roles.csv and userProfiles.csv. */
  fillsContext?: true;
  /** Builds the canonical record from an active row; problems go to the reader. */
  map(r: RowReader, ctx: MapContext): Record<string, unknown> | undefined;
};

export const BASE = ['sourcedId', 'status', 'dateLastModified'];

/**
 * 1.2 REST makes profile ids URIs (`profileId`, a role's `userProfile`) while 1.2 CSV names them by
 * sourcedId: an id that is not already an absolute URI becomes `urn:oneroster:userprofile:<id>`.
 */
export function profileUri(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(id) ? id : `urn:oneroster:userprofile:${encodeURIComponent(id)}`;
}
