// An embedded (PGlite) data folder serves one process at a time: a second process opening it (a second `npm start`,
// `npm run audit:verify` beside a running hub) corrupts it for both. The process that opens a folder holds an
// exclusive lock on it (proper-lockfile: a `<folder>.lock` directory kept fresh while held) and names itself in a
// side file (`<folder>.lock.owner`: pid, process start, command, since), so whoever is refused is told who holds it.
// The owner file decides: a live owner on this host is never taken over, however stale its lock directory looks
// (a stalled event loop, a sleeping laptop); a lock whose process is gone (killed, crashed) is taken over at once.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { OperatorError, readFolderLockStaleMs } from './config.js';

interface Owner {
  pid: number;
  host: string;
  /** The process's start time (Linux), so a pid reused by another process is not taken for the owner. */
  start?: string;
  command: string;
  since: string;
}

const lockPathOf = (dir: string) => `${dir}.lock`;
const ownerPathOf = (dir: string) => `${dir}.lock.owner`;

function readOwner(dir: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(ownerPathOf(dir), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/** Written whole (a rename), so a reader never sees half an owner file and takes it for none. */
function writeOwner(dir: string, owner: Owner): void {
  const temporary = `${ownerPathOf(dir)}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(owner));
  renameSync(temporary, ownerPathOf(dir));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, it is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Field 22 of /proc/<pid>/stat (after the command, which may hold spaces); undefined off Linux. */
function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * What an owner file's process is to this one. Only a process on this machine can be checked: a folder on a
 * shared disk keeps another host's lock until it is stale.
 */
function standing(owner: Owner): 'mine' | 'live' | 'gone' | 'unknown' {
  if (owner.host !== hostname()) return 'unknown';
  const start = startOf(owner.pid);
  const same = owner.start === undefined || start === undefined || owner.start === start;
  if (owner.pid === process.pid) return same ? 'mine' : 'gone';
  return same && alive(owner.pid) ? 'live' : 'gone';
}

/** A folder as the user would type it: relative to here when inside it. */
const shownPath = (dir: string) => {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith('..') ? relative : dir;
};

const describe = (owner: Owner | undefined) =>
  owner
    ? `process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`} (${owner.command}, since ${owner.since})`
    : 'another process';

/** A folder another process holds. */
export class DataFolderInUseError extends OperatorError {
  override name = 'DataFolderInUseError';
}

/** The one-line refusal: who holds the folder, and the two ways on. */
function inUse(dir: string, owner: Owner | undefined): OperatorError {
  return new DataFolderInUseError(
    `The embedded database ${shownPath(dir)} is in use by ${describe(owner)}: a PGlite folder serves one ` +
      `process at a time. Stop that process first, or set DATABASE_URL to a PostgreSQL several processes can share.`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The lock this process holds on one folder; `release` changes when a compromised lock is taken again. */
interface Held {
  release: () => Promise<void>;
  released: boolean;
}

/**
 * Takes the folder's lock, or throws at once naming the process holding it. Resolves with the release, which
 * the database's close calls.
 */
export async function lockDataFolder(dir: string): Promise<() => Promise<void>> {
  const owner = readOwner(dir);
  const before = owner && standing(owner);
  // A live owner keeps its folder even when its lock directory looks stale (it stalled past the threshold).
  if (before === 'live') throw inUse(dir, owner);
  if (before === 'gone') {
    // Taking over a dead process's lock: whoever moves its owner file aside first takes it, so two processes
    // starting together do not both remove it.
    try {
      renameSync(ownerPathOf(dir), `${ownerPathOf(dir)}.${process.pid}`);
      rmSync(`${ownerPathOf(dir)}.${process.pid}`, { force: true });
      rmSync(lockPathOf(dir), { recursive: true, force: true });
    } catch {
      // Someone else took it over first: the attempt below reports them.
    }
  }
  const state: Held = { release: async () => {}, released: false };
  const options: lockfile.LockOptions = {
    lockfilePath: lockPathOf(dir),
    realpath: false,
    stale: readFolderLockStaleMs(),
    // proper-lockfile stops refreshing a compromised lock for good: take it again, or stop (see retake).
    onCompromised: (error) => void retake(dir, state, options, error),
  };
  try {
    state.release = await lockfile.lock(dir, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw inUse(dir, readOwner(dir));
    throw error;
  }
  // Between the look above and the lock, a live owner's stale-looking directory may have been taken over (or its
  // owner file appeared): hand it back before anything reads the folder. Its own refresh then takes it again.
  const after = readOwner(dir);
  if (after && standing(after) === 'live') {
    await state.release();
    throw inUse(dir, after);
  }
  writeOwner(dir, me());
  held.add(dir);
  let released: Promise<void> | undefined;
  return () =>
    (released ??= (async () => {
      state.released = true;
      held.delete(dir);
      dropOwner(dir);
      await state.release().catch((error: NodeJS.ErrnoException) => {
        // Compromised and not taken again: there is nothing of ours left to remove.
        if (error.code !== 'ERELEASED' && error.code !== 'ENOTACQUIRED') throw error;
      });
    })());
}

/**
 * The owning process's lock was compromised (its directory changed or vanished under it). While the owner file
 * still names this process, the folder is ours: take the lock again at once. If another process is named, it has
 * opened the folder beside us; carrying on would corrupt it, so this process stops.
 */
async function retake(dir: string, state: Held, options: lockfile.LockOptions, error: Error): Promise<void> {
  for (let attempt = 1; !state.released; attempt++) {
    const owner = readOwner(dir);
    if (owner && standing(owner) !== 'mine') stop(dir, owner);
    // The directory is ours by the owner file, whatever its mtime says: replace it. A newcomer that made it in
    // between refuses itself on our owner file and removes its own; the next refresh then takes ours again.
    rmSync(lockPathOf(dir), { recursive: true, force: true });
    try {
      const release = await lockfile.lock(dir, options);
      if (state.released) return void (await release());
      state.release = release;
      if (!readOwner(dir)) writeOwner(dir, me());
      console.error(`data folder lock on ${shownPath(dir)}: ${error.message}; taken again`);
      return;
    } catch (failure) {
      if ((failure as NodeJS.ErrnoException).code !== 'ELOCKED' || attempt >= 10) stop(dir, readOwner(dir));
      await sleep(200);
    }
  }
}

function stop(dir: string, owner: Owner | undefined): never {
  console.error(
    `The embedded database ${shownPath(dir)} lost its lock to ${describe(owner)}: stopping at once, since two ` +
      `processes on one PGlite folder corrupt it. Stop the other process and start this one again.`,
  );
  process.exit(1);
}

function me(): Owner {
  return {
    pid: process.pid,
    host: hostname(),
    start: startOf(process.pid),
    command: [
      path.basename(process.argv0),
      ...process.execArgv,
      ...process.argv.slice(1).map((a) => path.relative(process.cwd(), a) || a),
    ]
      .join(' ')
      .slice(0, 200),
    since: new Date().toISOString(),
  };
}

const held = new Set<string>();
const dropOwner = (dir: string) => {
  if (readOwner(dir)?.pid === process.pid) rmSync(ownerPathOf(dir), { force: true });
};
// proper-lockfile removes its lock directories when the process exits without releasing; the owner files go too.
process.once('exit', () => held.forEach(dropOwner));
