/**
 * Request loggers made on first use. Fastify gives every request a child of the
 * server's logger (bound to its request id); pino builds a child's serialised
 * bindings and redaction when it is created, about 1.5% of a SCIM lookup's CPU here,
 * and most requests never log (the request line is at info; errors are rare).
 * The child made on first use is the one fastify would have made, so every line
 * it writes is the same.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';

type LogMethod = (...args: unknown[]) => void;

class LazyRequestLogger {
  #real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get real(): FastifyBaseLogger {
    if (this.#real === undefined) this.#real = this.parent.child(this.bindings, this.options);
    return this.#real;
  }

  // Read from the parent until the child exists: only an options level (a route's
  // logLevel) would make them differ, and then the child is made at once.
  get level(): LevelWithSilentOrString {
    return this.#real === undefined && this.options.level === undefined ? this.parent.level : this.real.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.real.level = level;
  }

  #call(name: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent', args: unknown[]): void {
    const real = this.real;
    (real[name] as LogMethod).apply(real, args);
  }

  fatal(...args: unknown[]): void {
    this.#call('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#call('error', args);
  }
  warn(...args: unknown[]): void {
    this.#call('warn', args);
  }
  info(...args: unknown[]): void {
    this.#call('info', args);
  }
  debug(...args: unknown[]): void {
    this.#call('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#call('trace', args);
  }
  silent(...args: unknown[]): void {
    this.#call('silent', args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory` option. */
export function lazyChildLogger(this: FastifyInstance, parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
