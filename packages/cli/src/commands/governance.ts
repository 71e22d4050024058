/**
 * Governance commands: `slipway login | logout | whoami`, `slipway users | service-accounts
 * | projects | tokens …` and `slipway audit ls | verify`. `audit verify` exits non-zero on
 * a broken chain, so a cron job or CI step notices tampering.
 */
import {
  type AuditEvent,
  ErrorCode,
  type IdentityKind,
  type IdentityRecord,
  InvalidInputError,
  PERMISSIONS,
  type Permission,
  ROLES,
  type Role,
  SlipwayError,
  type TokenView,
  type WhoamiResponse,
} from '@slipway/core';
import { createClient } from '@slipway/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext, GlobalOptions } from '../context.js';
import { formatWhen } from '../format.js';
import { formatFields, formatTable } from '../output.js';
import { removeLogin, resolveServer, resolveToken, writeLogin } from '../token-file.js';

function parseRole(text: string): Role {
  if (!(ROLES as readonly string[]).includes(text)) throw new InvalidArgumentError(`must be one of ${ROLES.join(', ')}`);
  return text as Role;
}

export function parseScopes(text: string): Permission[] {
  const scopes = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = scopes.filter((s) => !(PERMISSIONS as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`${unknown.length > 0 ? `unknown ${unknown.join(', ')}; ` : ''}list permissions separated by commas: ${PERMISSIONS.join(', ')}`);
  return scopes as Permission[];
}

function parsePositive(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new InvalidArgumentError('must be a whole number, at least 1');
  return n;
}

export function formatWhoami(w: WhoamiResponse): string[] {
  const roles = Object.entries(w.roles).map(([project, r]) => `${project === '*' ? 'every project' : project}: ${r.join(', ')}`);
  return formatFields([
    ['name', w.name],
    ['roles', roles.join('; ') || '(none)'],
    ['scopes', w.scopes === null ? '(all its roles grant)' : w.scopes.join(', ')],
    ['project', w.project],
    ['token', w.tokenId],
    ['expires', w.expiresAt === null ? 'never' : formatWhen(w.expiresAt)],
  ]);
}

export function formatTokens(tokens: readonly TokenView[]): string[] {
  if (tokens.length === 0) return ['no tokens; create one with `slipway tokens create <name>`'];
  return formatTable(
    ['ID', 'NAME', 'OWNER', 'SCOPES', 'EXPIRES', 'LAST USED', 'STATE'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.identity ?? `(${t.role ?? 'platform'} token)`,
      t.scopes === null ? 'all' : t.scopes.join(','),
      t.expiresAt === null ? 'never' : formatWhen(t.expiresAt),
      t.lastUsedAt === null ? '-' : formatWhen(t.lastUsedAt),
      t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && Date.parse(t.expiresAt) <= Date.now() ? 'expired' : 'active',
    ]),
  );
}

export function formatAuditEvents(events: readonly AuditEvent[]): string[] {
  if (events.length === 0) return ['no audit events match'];
  return formatTable(
    ['SEQ', 'WHEN', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME'],
    events.map((e) => [String(e.seq), formatWhen(e.at), e.role ? `${e.actor} (${e.role})` : e.actor, e.action, e.target ?? '-', e.status === null ? e.outcome : `${e.outcome} ${e.status}`]),
  );
}

const formatIdentities = (items: readonly IdentityRecord[]) =>
  items.length === 0 ? ['none yet'] : formatTable(['NAME', 'KIND', 'CREATED', 'BY'], items.map((i) => [i.name, i.kind, formatWhen(i.createdAt), i.createdBy]));

function registerIdentityCommands(program: Command, context: CommandContext, command: string, kind: IdentityKind) {
  const group = program.command(command).description(`${kind === 'user' ? 'users' : 'service accounts (for applications and CI)'}: create, list, delete (platform admins)`);
  group
    .command('ls')
    .description(`list ${command}`)
    .action(async () => {
      const items = await context.client().governance.listIdentities(kind);
      context.output().result({ identities: items }, () => formatIdentities(items));
    });
  group
    .command('create')
    .description(`create a ${kind}; give it a role with \`slipway projects add-member\``)
    .argument('<name>', 'lowercase letters, digits, ".", "_", "@", "-"')
    .action(async (name: string) => {
      const created = await context.client().governance.createIdentity(kind, name);
      context.output().result(created, () => [`created ${kind} ${created.name}; next: slipway projects add-member default ${created.name} --role viewer`]);
    });
  group
    .command('rm')
    .description(`delete a ${kind}: its memberships go and its tokens are revoked`)
    .argument('<name>')
    .action(async (name: string) => {
      await context.client().governance.deleteIdentity(kind, name);
      context.output().result({ deleted: name }, () => [`deleted ${kind} ${name}; its tokens are revoked`]);
    });
}

export function registerGovernanceCommands(program: Command, context: CommandContext): void {
  const globals = () => program.opts<GlobalOptions>();

  program
    .command('login')
    .description('check a token against a server and save both (0600) for later commands')
    .option('--token <token>', 'the token (default --token before the command, SLIPWAY_TOKEN or a local admin token)')
    .action(async (flags: { token?: string }) => {
      const { io } = context;
      const server = resolveServer(globals().server, io.env);
      const token = resolveToken(flags.token ?? globals().token, io.env, io.cwd, server);
      if (token === undefined) throw new InvalidInputError([{ path: 'token', message: 'is required: slipway login --server https://slipway.example --token <token>' }]);
      const client = createClient({ server, token }, io.env);
      const me = await client.governance.whoami();
      const path = writeLogin(io.env, { server: client.config.server, token });
      context.output().result({ server: client.config.server, configFile: path, ...me }, () => [`logged in to ${client.config.server} as ${me.name}; saved to ${path}`, ...formatWhoami(me)]);
    });

  program
    .command('logout')
    .description('forget the saved login')
    .action(() => {
      const path = removeLogin(context.io.env);
      context.output().result({ removed: path ?? null }, () => [path === undefined ? 'no login config here' : `removed ${path}`]);
    });

  program
    .command('whoami')
    .description('who the token belongs to: roles by project, scopes, expiry')
    .action(async () => {
      const me = await context.client().governance.whoami();
      context.output().result(me, () => formatWhoami(me));
    });

  registerIdentityCommands(program, context, 'users', 'user');
  registerIdentityCommands(program, context, 'service-accounts', 'service-account');

  const projects = program.command('projects').description('projects (tenants) and their members');
  projects
    .command('ls')
    .description('your projects (every project for platform roles)')
    .action(async () => {
      const items = await context.client().governance.listProjects();
      context.output().result({ projects: items }, () => formatTable(['NAME', 'DESCRIPTION', 'CREATED'], items.map((p) => [p.name, p.description ?? '', formatWhen(p.createdAt)])));
    });
  projects
    .command('create')
    .argument('<name>')
    .option('--description <text>')
    .description('create a project (platform admins)')
    .action(async (name: string, flags: { description?: string }) => {
      const created = await context.client().governance.createProject(name, flags.description);
      context.output().result(created, () => [`created project ${created.name}`]);
    });
  projects
    .command('rm')
    .argument('<name>')
    .description('delete a project that holds no pipelines')
    .action(async (name: string) => {
      await context.client().governance.deleteProject(name);
      context.output().result({ deleted: name }, () => [`deleted project ${name}`]);
    });
  projects
    .command('members')
    .argument('<project>')
    .description("a project's members and their roles")
    .action(async (project: string) => {
      const members = await context.client().governance.members(project);
      context.output().result({ members }, () => formatTable(['IDENTITY', 'ROLE', 'SINCE', 'BY'], members.map((m) => [m.identity, m.role, formatWhen(m.createdAt), m.createdBy])));
    });
  projects
    .command('add-member')
    .argument('<project>', 'a project, or "*" for every project')
    .argument('<identity>', 'a user or service account')
    .requiredOption('--role <role>', ROLES.join(', '), parseRole)
    .description('give an identity a role in a project (or change it)')
    .action(async (project: string, identity: string, flags: { role: Role }) => {
      const m = await context.client().governance.setMember(project, identity, flags.role);
      context.output().result(m, () => [`${m.identity} is ${m.role} in ${m.project === '*' ? 'every project' : m.project}`]);
    });
  projects
    .command('remove-member')
    .argument('<project>')
    .argument('<identity>')
    .description('take an identity out of a project')
    .action(async (project: string, identity: string) => {
      await context.client().governance.removeMember(project, identity);
      context.output().result({ removed: { project, identity } }, () => [`${identity} is no longer a member of ${project}`]);
    });

  const tokens = program.command('tokens').description('API tokens: shown once, stored hashed, scoped, expiring, revocable');
  tokens
    .command('ls')
    .option('--identity <name>', "another identity's tokens (platform admins)")
    .option('--all', 'every token (platform admins)')
    .description('your tokens')
    .action(async (flags: { identity?: string; all?: boolean }) => {
      const list = await context.client().governance.listTokens({ ...(flags.identity ? { identity: flags.identity } : {}), ...(flags.all ? { all: true } : {}) });
      context.output().result({ tokens: list }, () => formatTokens(list));
    });
  tokens
    .command('create')
    .argument('<name>', 'what the token is for, e.g. laptop or ci')
    .option('--identity <name>', 'whose token (default yours; another needs platform admin)')
    .option('--scopes <list>', `narrow it to these permissions: ${PERMISSIONS.join(',')}`, parseScopes)
    .option('--expires-in-days <n>', 'default 90', parsePositive)
    .option('--project <name>', 'where its pushes land by default')
    .description('create a token; the secret is printed this once')
    .action(async (name: string, flags: { identity?: string; scopes?: Permission[]; expiresInDays?: number; project?: string }) => {
      const created = await context.client().governance.createToken({ name, ...flags });
      context.output().result(created, () => [
        `token ${created.id} (${created.name}) for ${created.identity ?? '?'}, expires ${created.expiresAt === null ? 'never' : formatWhen(created.expiresAt)}`,
        'the secret, shown only now:',
        `  ${created.token}`,
      ]);
    });
  tokens
    .command('revoke')
    .argument('<id>')
    .description('revoke a token (yours, or any as platform admin); it stops working at once')
    .action(async (id: string) => {
      const revoked = await context.client().governance.revokeToken(id);
      context.output().result(revoked, () => [`revoked token ${revoked.id} (${revoked.name})`]);
    });

  const audit = program.command('audit').description('the hash-chained audit log (platform admins)');
  audit
    .command('ls')
    .option('--since <time>', 'ISO-8601, e.g. 2026-01-31T00:00:00Z')
    .option('--actor <name>')
    .option('--target <target>', 'a target or its prefix, e.g. credit-risk')
    .option('--limit <n>', 'default 100', parsePositive)
    .description('audit events, newest first')
    .action(async (flags: { since?: string; actor?: string; target?: string; limit?: number }) => {
      const events = await context.client().governance.audit(flags);
      context.output().result({ events }, () => formatAuditEvents(events));
    });
  audit
    .command('verify')
    .description('walk the hash chain from the first event; exits 1 and names the first broken link')
    .action(async () => {
      const result = await context.client().governance.verifyAudit();
      context.output().result(result, () => (result.ok ? [`audit log intact: ${result.checked} events verified`] : [`audit log BROKEN at event ${result.broken?.seq}: ${result.broken?.reason}`]));
      if (!result.ok) {
        throw new SlipwayError(ErrorCode.internal, `audit chain broken at event ${result.broken?.seq ?? '?'} (${result.checked} events before it verified)`, { details: { ...result } });
      }
    });
}
