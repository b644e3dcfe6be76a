// Each test file gets a database of its own: a fresh PostgreSQL database on the server DATABASE_URL names
// (dropped afterwards), or an in-memory PGlite when DATABASE_URL is unset.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { DatabaseConfig } from '../../core/config.js';

export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** `separate`: embedded, a PGlite of its own in a temporary folder (in-memory ones with equal settings are shared). */
export async function createTestDatabase(options: { separate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl && options.separate) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ykt-db-'));
    return { config: { kind: 'pglite', dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  if (!serverUrl) return { config: { kind: 'pglite', dataDir: null }, drop: async () => {} };
  const name = `ykt_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } catch (error) {
    await admin.end();
    throw error;
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString(), source: 'DATABASE_URL' },
    async drop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
