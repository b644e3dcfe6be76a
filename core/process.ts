// Command-line entry points stop cleanly on Ctrl-C or SIGTERM: servers closed, databases flushed, no
// process left behind, exit code 0 (run through npm, the shell npm starts reports 130 for Ctrl-C, whatever the
// command returned). A second signal while closing exits at once (code 1). A failure the operator can act on is
// one line; anything else keeps its stack.
import { createServer } from 'node:net';
import { isOperatorError, OperatorError } from './config.js';

/** A command used wrongly: printed as its message (the usage), without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What a failed command prints: an operator's or usage error as its message, anything else as it is. */
export function describeFailure(error: unknown): unknown {
  if (isOperatorError(error) || (error instanceof Error && error.name === 'UsageError')) return error.message;
  const listen = portInUse(error);
  return listen ? listen.message : error;
}

/** A port this process would listen on, and the variable that sets it. */
export interface PortSetting {
  variable: string;
  host: string;
  port: number;
}

/** EADDRINUSE, told as what to do: the port's variable when known. */
function portInUse(error: unknown, setting?: PortSetting): OperatorError | undefined {
  const e = error as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e?.code !== 'EADDRINUSE') return undefined;
  const where = setting ? `${setting.host}:${setting.port}` : `${e.address ?? ''}:${e.port ?? '?'}`;
  const variable = setting?.variable ?? 'GATEWAY_PORT or <DOMAIN>_PORT';
  return new OperatorError(
    `Port ${where} is in use (${variable}): stop what listens there (another ykt-hub?), or set ${variable} to another port (0 picks a free one).`,
  );
}

/**
 * Fails at once, naming the variable, when a port to listen on is taken: before migrating or seeding, not after.
 * Port 0 (any free one) is not checked; a port taken between this check and the listen is still told in one line.
 */
export async function assertPortsFree(settings: PortSetting[]): Promise<void> {
  for (const setting of settings) {
    if (setting.port === 0) continue;
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (error) => reject(portInUse(error, setting) ?? error));
      probe.listen(setting.port, setting.host, () => probe.close(() => resolve()));
    });
  }
}

/**
 * Runs a long-lived command. `start` brings everything up and resolves with the function that closes it; if it
 * throws, it has closed whatever it opened. The signal handler is in place before start-up begins, so Ctrl-C
 * while migrating or seeding is handled too: `stopping` is aborted, so that `start` may give up at its next
 * step, and once `start` has returned (or failed) what it started is closed, rather than the process being
 * killed with an embedded database unflushed.
 */
export function serveUntilSignal(start: (stopping: AbortSignal) => Promise<() => Promise<void>>): void {
  const stopping = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) process.exit(1);
    console.log(`\n${signal}: shutting down`);
    stopping.abort(new Error(`${signal} during start-up`));
    started
      // A failed start has closed what it had opened: nothing left to close.
      .then(
        (close) => close(),
        () => {},
      )
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Signals arrive through the event loop, so none can be handled before `started` is set here.
  const started = start(stopping.signal);
  started.catch((error: unknown) => {
    if (error === stopping.signal.reason) return; // start-up gave up on the signal, as asked
    console.error(describeFailure(error));
    if (!stopping.signal.aborted) process.exit(1);
  });
}

/** Runs a one-shot command-line main, printing configuration errors as one line rather than a stack trace. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(describeFailure(error));
    process.exit(1);
  });
}

/**
 * Lets the event loop turn. Embedded PGlite answers without real I/O, so a long seed can run as one unbroken
 * chain of promises, and a Ctrl-C (delivered by the event loop) would wait for all of it: long loops call this
 * between steps.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
