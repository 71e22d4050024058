/**
 * The audit log's hash chain, as pure functions: each event's hash covers the previous
 * event's hash and the event's canonical content, so editing a row breaks its own hash
 * and deleting one breaks the next row's link (and leaves a gap in `seq`). Verification
 * reports the first broken link, which is where an investigation starts.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '@slipway/core';

export const AUDIT_GENESIS = 'genesis';

/** JSON with object keys sorted at every level: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** `sha256:<hex>` over the previous hash and every field of the event except its own hash. */
export function sealAuditEvent(prevHash: string, event: Omit<AuditEvent, 'hash'>): string {
  const content: Partial<AuditEvent> = { ...event };
  delete content.prevHash;
  delete content.hash;
  return `sha256:${createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex')}`;
}

export interface BrokenLink {
  /** The first event that does not verify (for a gap: the event after it). */
  seq: number;
  reason: string;
}

/** Checks events in `seq` order from the start of the log; stops at the first broken link. */
export interface ChainVerifier {
  /** Feeds the next events; returns the first broken link, once found. */
  add(events: readonly AuditEvent[]): BrokenLink | undefined;
  readonly checked: number;
  readonly head: string;
}

export function createChainVerifier(): ChainVerifier {
  let expectedSeq = 1;
  let prev = AUDIT_GENESIS;
  let checked = 0;
  let broken: BrokenLink | undefined;
  return {
    add(events) {
      for (const e of events) {
        if (broken) return broken;
        if (e.seq !== expectedSeq) {
          broken = { seq: e.seq, reason: `event ${expectedSeq}${e.seq > expectedSeq + 1 ? `–${e.seq - 1}` : ''} is missing (deleted): event ${e.seq} follows event ${expectedSeq - 1}` };
        } else if (e.prevHash !== prev) {
          broken = { seq: e.seq, reason: `event ${e.seq} does not link to event ${e.seq - 1}: its prevHash ${e.prevHash} differs from ${prev} (the previous event was changed or replaced)` };
        } else if (sealAuditEvent(e.prevHash, e) !== e.hash) {
          broken = { seq: e.seq, reason: `event ${e.seq} was modified: its content no longer matches its hash ${e.hash}` };
        } else {
          prev = e.hash;
          expectedSeq += 1;
          checked += 1;
        }
      }
      return broken;
    },
    get checked() {
      return checked;
    },
    get head() {
      return prev;
    },
  };
}

/** Verifies a whole chain held in memory. */
export function verifyAuditChain(events: readonly AuditEvent[]): { ok: boolean; checked: number; broken?: BrokenLink } {
  const verifier = createChainVerifier();
  const broken = verifier.add(events);
  return broken ? { ok: false, checked: verifier.checked, broken } : { ok: true, checked: verifier.checked };
}
