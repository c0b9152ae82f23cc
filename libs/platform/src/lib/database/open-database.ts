import type { DatabaseConfig } from '../config/app-config';
import { currentDataHome, defaultDataDir, legacyTempDataDir } from './embedded-data-dir';
import { runningEmbeddedPostgresUrl, startEmbeddedPostgres } from './embedded-postgres';

/** A database to work with, and how to let go of it. */
export type OpenDatabase = Readonly<{ url: string; description: string; close(): Promise<void> }>;

/**
 * DATABASE_URL when given; else the embedded PostgreSQL of this user — the one already running (another process
 * started it) or a new one, stopped again by `close()`. Its folder is EMBEDDED_PG_DATA_DIR, else the persistent
 * default, into which the temp-folder cluster of earlier releases is moved once.
 */
export async function openDatabase(config: DatabaseConfig, onLog?: (line: string) => void): Promise<OpenDatabase> {
  if (config.kind === 'external') return { url: config.url, description: 'DATABASE_URL', close: async () => undefined };
  const dataDir = config.dataDir ?? defaultDataDir(currentDataHome(config.xdgDataHome));
  const running = await runningEmbeddedPostgresUrl({ port: config.port, dataDir });
  if (running) return { url: running, description: `the embedded PostgreSQL already running on port ${config.port}`, close: async () => undefined };
  const server = await startEmbeddedPostgres({
    persistent: true,
    port: config.port,
    dataDir,
    ...(config.dataDir === undefined ? { moveFrom: legacyTempDataDir() } : {}),
    ...(onLog ? { onLog } : {}),
  });
  return { url: server.url, description: `an embedded PostgreSQL on port ${config.port} (data in ${server.dataDir})`, close: () => server.stop() };
}
