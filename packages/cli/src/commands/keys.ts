/**
 * `slipway keys rotate`: moves the artifacts of a data directory to a new master key by
 * re-wrapping each object's data key (the encrypted data is not rewritten), and encrypts
 * objects stored before encryption was turned on. Run it with the server stopped, then
 * start the server with the new key.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidInputError } from '@slipway/core';
import { loadMasterKey, parseMasterKey, rotateArtifactKeys } from '@slipway/server';
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
    .action(async (flags: { newKeyFile: string; oldKeyFile?: string; dataDir?: string }) => {
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
      const result = await rotateArtifactKeys(join(dataDir, 'artifacts'), oldKey === undefined ? [] : [oldKey], newKey);
      context.output().result({ keyId: newKey.id, ...result }, () => [
        `artifacts now under master key ${newKey.id}: ${result.rewrapped} re-wrapped, ${result.encrypted} encrypted, ${result.unchanged} already under it`,
        'start the server with the new key (SLIPWAY_MASTER_KEY_FILE) and keep the old one until you have checked it serves',
      ]);
    });
}
