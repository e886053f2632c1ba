/**
 * Logs: pino JSON lines on stdout. Request bodies and headers are never logged,
 * so neither passwords nor tokens can reach a log; redaction covers the fields
 * that could still carry them if someone logs an object by mistake.
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'secret',
  '*.secret',
];

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? process.env['IDSYNC_LOG_LEVEL'] ?? 'info';
  const options = { level, base: null, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
