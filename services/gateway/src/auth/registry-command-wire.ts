/**
 * A registry command on the wire (registry.proto's RegistryCommandV1) and back.
 * Both directions check what the store cannot: a record whose command is missing
 * or whose permissions are not the known words decodes to null, and the folding
 * store skips it loudly rather than guessing.
 */
import { SCHEMA_MAJOR_V1, type RegistryCommandV1 } from '@perpcore/proto';
import type { Permission } from './authenticated-request.js';
import { PERMISSIONS, type RegistryCommand } from './account-registry.js';

export function registryCommandToWire(command: RegistryCommand, source: string, seq: number, tsNs: number): RegistryCommandV1 {
  const head = { schemaMajor: SCHEMA_MAJOR_V1, seq, tsNs, source };
  switch (command.kind) {
    case 'createAccount':
      return { ...head, command: 'createAccount', createAccount: { accountId: command.accountId } } as RegistryCommandV1;
    case 'createKey':
      return {
        ...head,
        command: 'createKey',
        createKey: { apiKey: command.apiKey, secretKey: command.secretKey, accountId: command.accountId, permissions: [...command.permissions], createdAtNs: command.createdAtMs * 1_000_000 },
      } as RegistryCommandV1;
    case 'revokeKey':
      return { ...head, command: 'revokeKey', revokeKey: { apiKey: command.apiKey } } as RegistryCommandV1;
  }
}

/** The command a record carries, or null for a record that carries none this version knows (a catch-up marker included). */
export function registryCommandFromWire(record: RegistryCommandV1): RegistryCommand | null {
  switch (record.command) {
    case 'createAccount':
      return record.createAccount == null ? null : { kind: 'createAccount', accountId: record.createAccount.accountId ?? 0 };
    case 'createKey': {
      const k = record.createKey;
      if (k == null) return null;
      const permissions = k.permissions ?? [];
      if (!permissions.every((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p))) return null;
      return { kind: 'createKey', apiKey: k.apiKey ?? '', secretKey: k.secretKey ?? '', accountId: k.accountId ?? 0, permissions, createdAtMs: Math.round(Number(k.createdAtNs ?? 0) / 1_000_000) };
    }
    case 'revokeKey':
      return record.revokeKey == null ? null : { kind: 'revokeKey', apiKey: record.revokeKey.apiKey ?? '' };
    default:
      return null;
  }
}
