/**
 * `slipway keys rotate`: moves a stopped server's data to a new master key: each
 * artifact's data key is re-wrapped (the encrypted data is not rewritten), artifacts
 * stored before encryption was on are encrypted, and sealed secrets in the metadata store
 * (notification channels) are re-sealed. Then start the server with the new key.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidInputError } from '@slipway/core';
import { loadMasterKey, parseMasterKey, rotateMasterKey } from '@slipway/server';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export function registerKeysCommands(program: Command, context: CommandContext): void {
  const keys = program.command('keys').description('master keys of encryption at rest');

  keys
    .command('rotate')
    .description('re-wrap every artifact data key under a new master key (stop the server first)')
    .requiredOption('--new-key-file <file>', 'file with the new base64 master key (`openssl rand -base64 32`)')
    .option('--old-key-file <file>', 'file with the current key (default SLIPWAY_MASTER_KEY_FILE or SLIPWAY_MASTER_KEY)')
    .option('--data-dir <dir>', 'the server data directory (default SLIPWAY_DATA_DIR or ./.slipway)')
    .option('--database-url <url>', 'the metadata store, when not SQLite in the data directory (default SLIPWAY_DATABASE_URL)')
    .action(async (flags: { newKeyFile: string; oldKeyFile?: string; dataDir?: string; databaseUrl?: string }) => {
      const { env, cwd } = context.io;
      const at = (p: string) => resolve(cwd, p);
      const oldKey = await loadMasterKey(
        flags.oldKeyFile !== undefined ? { masterKeyFile: at(flags.oldKeyFile) } : { masterKeyFile: env.SLIPWAY_MASTER_KEY_FILE && at(env.SLIPWAY_MASTER_KEY_FILE), masterKey: env.SLIPWAY_MASTER_KEY || undefined },
      );
      const newText = await readFile(at(flags.newKeyFile), 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new InvalidInputError([{ path: 'new-key-file', message: `cannot read ${flags.newKeyFile} (${error.code ?? error.message})` }]);
      });
      const newKey = parseMasterKey(newText, 'new-key-file');
      const dataDir = at(flags.dataDir ?? env.SLIPWAY_DATA_DIR ?? '.slipway');
      const result = await rotateMasterKey({ dataDir, databaseUrl: flags.databaseUrl ?? (env.SLIPWAY_DATABASE_URL || undefined), from: oldKey === undefined ? [] : [oldKey], to: newKey });
      const { artifacts } = result;
      context.output().result({ keyId: newKey.id, ...result }, () => [
        `artifacts now under master key ${newKey.id}: ${artifacts.rewrapped} re-wrapped, ${artifacts.encrypted} encrypted, ${artifacts.unchanged} already under it; ${result.secrets} secrets re-sealed`,
        'start the server with the new key (SLIPWAY_MASTER_KEY_FILE) and keep the old one until you have checked it serves',
      ]);
    });
}
