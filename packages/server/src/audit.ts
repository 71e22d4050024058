/**
 * The audit log as a service: `record` appends an event to the hash chain (other
 * services call it for domain events such as a rollback), `installAuditHook` records
 * every mutating request by its route, `verify` walks the chain from the start and names
 * the first broken link. Runs (inference) are not audited: they are the data plane, and
 * the prediction log keeps them.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent, AuditEventInput, AuditQuery, MetadataStore } from '@slipway/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type BrokenLink, createChainVerifier, sealAuditEvent } from './audit-chain.js';
import type { Principal } from './access.js';
import type { GovernanceLog } from './identity.js';

/** What a caller of `record` supplies; the rest defaults from the request when given. */
export interface AuditRecord {
  action: string;
  target?: string | null;
  outcome?: 'ok' | 'denied' | 'failed';
  status?: number | null;
  beforeDigest?: string | null;
  afterDigest?: string | null;
  details?: Record<string, unknown> | null;
  /** Who acted; default the request's authenticated caller, else `system`. */
  actor?: string;
  role?: string | null;
}

export interface AuditVerification {
  ok: boolean;
  /** Events that verified, from the first. */
  checked: number;
  /** The first event that did not verify, with why. */
  broken?: BrokenLink;
  /** Hash of the last verified event: keep it elsewhere to detect truncation of the tail later. */
  head: string;
}

/** What the access layer knows about a request, shared with the audit hook. */
export interface RequestAuditState {
  principal?: Principal;
  /** The permission the route asked for; run requests are not audited. */
  permission?: string;
  /** Set once a denial was recorded, so the mutation hook does not record it twice. */
  denied?: boolean;
  target?: string;
  beforeDigest?: string;
}

export interface Audit {
  record(event: AuditRecord, req?: FastifyRequest): Promise<AuditEvent>;
  list(query: AuditQuery): Promise<AuditEvent[]>;
  verify(): Promise<AuditVerification>;
  /** Per-request state: the principal, the permission asked, an explicit target. */
  state(req: FastifyRequest): RequestAuditState;
}

export const digestOf = (value: unknown): string =>
  `sha256:${createHash('sha256')
    .update(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value ?? null))
    .digest('hex')}`;

const VERIFY_PAGE = 1000;

export function createAudit(store: MetadataStore, log: GovernanceLog): Audit {
  const states = new WeakMap<FastifyRequest, RequestAuditState>();
  const state = (req: FastifyRequest) => {
    let s = states.get(req);
    if (s === undefined) states.set(req, (s = {}));
    return s;
  };

  return {
    state,
    record(event, req) {
      const principal = req && states.get(req)?.principal;
      const input: AuditEventInput = {
        at: new Date().toISOString(),
        actor: event.actor ?? principal?.name ?? 'system',
        role: event.role !== undefined ? event.role : (principal?.role ?? null),
        action: event.action,
        target: event.target ?? null,
        requestId: req?.id ?? null,
        source: req?.ip ?? null,
        outcome: event.outcome ?? 'ok',
        status: event.status ?? null,
        beforeDigest: event.beforeDigest ?? null,
        afterDigest: event.afterDigest ?? null,
        details: event.details ?? null,
      };
      return store.appendAudit(input, sealAuditEvent).catch((err: unknown) => {
        log.error({ err, action: input.action, requestId: input.requestId }, 'could not append to the audit log');
        throw err;
      });
    },
    list: (query) => store.listAudit(query),
    async verify() {
      const verifier = createChainVerifier();
      let afterSeq = 0;
      for (;;) {
        const page = await store.listAudit({ afterSeq, order: 'asc', limit: VERIFY_PAGE });
        const broken = verifier.add(page);
        if (broken) return { ok: false, checked: verifier.checked, broken, head: verifier.head };
        if (page.length < VERIFY_PAGE) return { ok: true, checked: verifier.checked, head: verifier.head };
        afterSeq = page[page.length - 1]!.seq;
      }
    },
  };
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a request acted on: an explicit target, else its path parameters joined by `/`. */
function targetOf(req: FastifyRequest, s: RequestAuditState): string | null {
  if (s.target !== undefined) return s.target;
  const params = Object.values((req.params ?? {}) as Record<string, string>);
  return params.length > 0 ? params.join('/') : null;
}

/**
 * Records every mutating request (POST, PUT, PATCH, DELETE) with its outcome before the
 * answer leaves, so a client that saw success can find the event. Runs and requests
 * already recorded as denied are skipped.
 */
export function installAuditHook(app: FastifyInstance, audit: Audit): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (!MUTATING.has(req.method)) return payload;
    const s = audit.state(req);
    // Submitting a run is the data plane (the prediction log keeps it); cancelling one is audited.
    if (s.denied || (s.permission === 'run' && req.method === 'POST') || req.routeOptions.url === undefined) return payload;
    const status = reply.statusCode;
    await audit
      .record(
        {
          action: `${req.method} ${req.routeOptions.url}`,
          target: targetOf(req, s),
          outcome: status < 400 ? 'ok' : 'failed',
          status,
          beforeDigest: s.beforeDigest ?? null,
          afterDigest: status < 300 && (typeof payload === 'string' || Buffer.isBuffer(payload)) ? digestOf(payload) : null,
        },
        req,
      )
      // Already logged by `record`; the action itself has happened, so its answer still goes out.
      .catch(() => undefined);
    return payload;
  });
}
