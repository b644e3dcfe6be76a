// The newcomer tests' processes: an npm script's own command run as a terminal runs it (its own process group),
// over a temporary embedded data folder and free ports, and everything started cleaned up afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { envPrefix } from '../../core/config.js';
import { TEST_JWT_SECRET, TEST_SUBGRAPH_SECRET } from '../support/hub.js';

const children: ChildProcess[] = [];
const folders: string[] = [];

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Kills whatever is left of every process started, removes every folder made. */
export function cleanUp(): void {
  for (const child of children.splice(0)) if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function tempFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ykt-newcomer-'));
  folders.push(dir);
  return dir;
}

/** A newcomer's environment: embedded in `dataDir` (a fresh one by default), every port free-picked, no NODE_ENV. */
export function newcomerEnv(dataDir = path.join(tempFolder(), 'pglite')): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GATEWAY_PORT: '0',
    ...Object.fromEntries(SUBGRAPHS.map((s) => [`${envPrefix(s.name)}_PORT`, '0'])),
    SEED_HOLDERS: '20',
    PGLITE_DATA_DIR: dataDir,
    GATEWAY_JWT_SECRET: TEST_JWT_SECRET,
    SUBGRAPH_SECRET: TEST_SUBGRAPH_SECRET,
  };
  for (const variable of ['DATABASE_URL', 'GATEWAY_DATABASE_URL', 'REDIS_URL', 'NODE_ENV']) delete env[variable];
  return env;
}

const scripts = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

export interface Run {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

/** `npm run <script> -- <args>` as its own command (node --import tsx …), without npm's wrapper around it. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const [bin, ...scriptArgs] = scripts[script]!.split(' ');
  if (bin !== 'node') throw new Error(`${script} is not a node script`);
  const child = spawn(process.execPath, [...scriptArgs, ...args], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    listeners.forEach((l) => l());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 90_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        }
      };
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      listeners.add(check);
      check();
      void exited.then(() => {
        // Output may arrive after 'exit': look once more before giving up.
        setTimeout(() => {
          check();
          clearTimeout(timer);
          reject(new Error(`${script} exited before ${pattern}:\n${output}`));
        }, 100);
      });
    });
  return { child, output: () => output, waitFor, exited };
}

/** Runs a one-shot command to its end: its exit code and output. */
export async function runToEnd(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const run = runScript(script, args, env);
  const code = await run.exited;
  // Let the pipes drain.
  await new Promise((r) => setTimeout(r, 50));
  return { code, output: run.output() };
}

/** Ctrl-C to the process group; resolves with the exit code. */
export function interrupt(run: Run): Promise<number | null> {
  process.kill(-run.child.pid!, 'SIGINT');
  return run.exited;
}
