/**
 * Request loggers are made on first use (src/http/lazy-logger.ts): a request that
 * logs writes the same line, with its request id, as with fastify's own children;
 * one that does not log never makes a child. The request line itself carries the id
 * as a field and is written without redaction: its fields are fixed and safe.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { lazyChildLogger } from '../../src/http/lazy-logger.js';
import { REDACT_PATHS } from '../../src/logging.js';
import { startHub } from '../helpers/hub.js';

function memoryLogger(level: string): { logger: FastifyBaseLogger; lines: () => Record<string, unknown>[]; children: () => number } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const root = pino({ level, base: null }, destination);
  // Counts the children made of it; theirs are pino's own (they inherit from root).
  let children = 0;
  const parent = Object.create(root) as typeof root;
  parent.child = ((bindings, options) => {
    children++;
    return root.child(bindings, options);
  }) as typeof root.child;
  return {
    logger: parent as FastifyBaseLogger,
    lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
    children: () => children,
  };
}

const make = (parent: FastifyBaseLogger, options = {}) => lazyChildLogger.call({} as FastifyInstance, parent, { reqId: 'req-7' }, options);

describe('lazy request logger', () => {
  it('makes no child until a line is written, then one, bound to the request id', () => {
    const m = memoryLogger('info');
    const log = make(m.logger);
    assert.equal(m.children(), 0);
    assert.equal(log.level, 'info');
    log.debug('below the level');
    log.info({ status: 200 }, 'request');
    log.error('second line');
    assert.equal(m.children(), 1);
    const lines = m.lines();
    assert.deepEqual(
      lines.map((l) => [l['reqId'], l['msg'], l['status']]),
      [
        ['req-7', 'request', 200],
        ['req-7', 'second line', undefined],
      ],
    );
  });

  it("honours a route's own level given in the options", () => {
    const m = memoryLogger('warn');
    const log = make(m.logger, { level: 'debug' });
    assert.equal(log.level, 'debug');
    log.debug('shown at the route level');
    assert.equal(m.lines()[0]?.['msg'], 'shown at the route level');
  });

  it('children of the request logger carry both bindings', () => {
    const m = memoryLogger('info');
    make(m.logger).child({ part: 'bulk' }).info('nested');
    assert.deepEqual([m.lines()[0]?.['reqId'], m.lines()[0]?.['part']], ['req-7', 'bulk']);
  });

  it("the hub's request lines each carry their own request id", async () => {
    const hub = await startHub({ logLevel: 'info' });
    try {
      const acme = hub.orgs[0];
      assert.ok(acme);
      assert.equal((await acme.scim('GET', '/Users')).status, 200);
      assert.equal((await acme.scim('GET', '/Users/no-such-id')).status, 404);
      await hub.stopServer();
      const lines = hub
        .logs()
        .split('\n')
        .filter((l) => l.includes('"msg":"request"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        lines.map((l) => [l['path'], l['status']]),
        [
          ['/scim/v2/Users', 200],
          ['/scim/v2/Users/no-such-id', 404],
        ],
      );
      assert.ok(lines.every((l) => typeof l['reqId'] === 'string'));
      // Written without redaction (server.ts): its fields must stay these, none of them a redacted name.
      for (const l of lines) assert.deepEqual(Object.keys(l), ['level', 'time', 'reqId', 'method', 'path', 'status', 'ms', 'msg']);
      assert.ok(['reqId', 'method', 'path', 'status', 'ms', 'msg'].every((k) => !REDACT_PATHS.some((p) => p === k || p.endsWith(`.${k}`))));
      assert.notEqual(lines[0]?.['reqId'], lines[1]?.['reqId']);
    } finally {
      await hub.close();
    }
  });
});
