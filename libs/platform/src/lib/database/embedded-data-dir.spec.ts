import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir, moveCluster, ROOT_DATA_DIR } from './embedded-data-dir';

describe('the default folder of the embedded PostgreSQL', () => {
  it('given a user with XDG_DATA_HOME, then it is $XDG_DATA_HOME/rework-ledger', () => {
    expect(defaultDataDir({ xdgDataHome: '/data/ann', home: '/home/ann', root: false })).toBe('/data/ann/rework-ledger');
  });

  it('given a user without XDG_DATA_HOME, then it is ~/.local/share/rework-ledger', () => {
    expect(defaultDataDir({ home: '/home/ann', root: false })).toBe('/home/ann/.local/share/rework-ledger');
  });

  it('given a relative XDG_DATA_HOME, then it is ignored as the XDG spec says', () => {
    expect(defaultDataDir({ xdgDataHome: 'data', home: '/home/ann', root: false })).toBe('/home/ann/.local/share/rework-ledger');
  });

  it('given root, then it is /var/lib/rework-ledger, which the OS user postgres can reach (unlike /root)', () => {
    expect(defaultDataDir({ xdgDataHome: '/root/.data', home: '/root', root: true })).toBe(ROOT_DATA_DIR);
    expect(ROOT_DATA_DIR).toBe('/var/lib/rework-ledger');
  });

  it('is never in the temp folder', () => {
    expect(defaultDataDir({ home: '/home/ann', root: false }).startsWith(tmpdir())).toBe(false);
  });
});

describe('moving a cluster of an earlier release', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'rework-ledger-move-spec-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function cluster(folder: string, marker: string): Promise<void> {
    await mkdir(join(folder, 'pgdata', 'base'), { recursive: true });
    await writeFile(join(folder, 'pgdata', 'PG_VERSION'), '17\n');
    await writeFile(join(folder, 'pgdata', 'base', 'marker'), marker);
    await writeFile(join(folder, 'password'), `${marker}-password\n`);
  }

  it('given a complete cluster and an empty destination, then pgdata and password move and the source is gone', async () => {
    await cluster(join(root, 'old'), 'old');
    expect(await moveCluster(join(root, 'old'), join(root, 'new'))).toBe('moved');
    expect(await readFile(join(root, 'new', 'pgdata', 'base', 'marker'), 'utf8')).toBe('old');
    expect(await readFile(join(root, 'new', 'password'), 'utf8')).toBe('old-password\n');
    expect(existsSync(join(root, 'old'))).toBe(false);
  });

  it('given the destination already holds a cluster, then nothing moves (the move happens once)', async () => {
    await cluster(join(root, 'old'), 'old');
    await cluster(join(root, 'new'), 'new');
    expect(await moveCluster(join(root, 'old'), join(root, 'new'))).toBe('destination-has-cluster');
    expect(await readFile(join(root, 'new', 'pgdata', 'base', 'marker'), 'utf8')).toBe('new');
    expect(existsSync(join(root, 'old', 'pgdata'))).toBe(true);
  });

  it('given no complete cluster at the source (no password, or initdb unfinished), then nothing moves', async () => {
    await mkdir(join(root, 'old', 'pgdata'), { recursive: true });
    await writeFile(join(root, 'old', 'password'), 'p\n');
    expect(await moveCluster(join(root, 'old'), join(root, 'new'))).toBe('nothing-to-move');
    expect(await moveCluster(join(root, 'absent'), join(root, 'new'))).toBe('nothing-to-move');
    expect(existsSync(join(root, 'new'))).toBe(false);
  });

  it('given the source cluster is running, then it is not moved', async () => {
    await cluster(join(root, 'old'), 'old');
    expect(await moveCluster(join(root, 'old'), join(root, 'new'), { runningPid: 1234 })).toBe('source-running');
    expect(existsSync(join(root, 'old', 'pgdata', 'PG_VERSION'))).toBe(true);
  });

  (process.getuid?.() === 0 ? it : it.skip)('given a source folder of another user (the temp folder is shared), then it is not taken in', async () => {
    await cluster(join(root, 'old'), 'old');
    await chown(join(root, 'old'), 65534, 65534);
    expect(await moveCluster(join(root, 'old'), join(root, 'new'))).toBe('source-not-ours');
    expect(existsSync(join(root, 'new'))).toBe(false);
  });

  it('given a symlink in place of the source folder, then it is not followed', async () => {
    await cluster(join(root, 'real'), 'real');
    await symlink(join(root, 'real'), join(root, 'old'));
    expect(await moveCluster(join(root, 'old'), join(root, 'new'))).toBe('source-not-ours');
    expect(existsSync(join(root, 'real', 'pgdata', 'PG_VERSION'))).toBe(true);
  });

  it('given a destination with only an unfinished initdb, then the earlier cluster replaces it', async () => {
    await cluster(join(root, 'old'), 'old');
    await mkdir(join(root, 'new', 'pgdata'), { recursive: true });
    await writeFile(join(root, 'new', 'pgdata', 'half'), 'x');
    expect(await moveCluster(join(root, 'old'), join(root, 'new'))).toBe('moved');
    expect(existsSync(join(root, 'new', 'pgdata', 'half'))).toBe(false);
    expect(await readFile(join(root, 'new', 'pgdata', 'base', 'marker'), 'utf8')).toBe('old');
  });
});
