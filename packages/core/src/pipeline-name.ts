/**
 * The pipeline name rule, on its own so code that only checks names (refs, and the
 * dashboard's browser bundle through the SDK) does not pull in the manifest schemas.
 */

/** Pipeline names: lowercase, digits, `-`, `_`, `.`; 1–63 characters, starting alphanumeric. */
export const PIPELINE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
