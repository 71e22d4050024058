/** The monitoring profile tables (migrations-profiles.ts). */

export interface ReferenceProfilesTable {
  pipeline: string;
  version: number;
  source: string;
  rows: number;
  /** JSON text: features, prediction, cbpe, positiveClass, evaluation. */
  body: string;
  created_at: string;
}

export interface ProfileWindowsTable {
  pipeline: string;
  version: number;
  window_ms: number;
  /** Epoch ms; PostgreSQL hands bigint over as a string. */
  start: number | string;
  rows: number;
  /** JSON text of the window's mergeable state. */
  state: string;
  /** JSON text of its drift; null without a reference profile. */
  drift: string | null;
  updated_at: string;
}

export interface ProfileTables {
  reference_profiles: ReferenceProfilesTable;
  profile_windows: ProfileWindowsTable;
}
