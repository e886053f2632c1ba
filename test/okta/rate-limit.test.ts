/** Rate limits per org and endpoint family, fixed one-minute windows, headers on every response, 429 E0000047. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import { FixedWindowLimiter, rateFamily } from '../../src/http/okta/rate-limit.js';
import { assertOktaError, startOktaHub, type OktaHub, type OktaOrg } from './helpers.js';

describe('FixedWindowLimiter', () => {
  it('counts per org and family in fixed windows and says when the window resets', () => {
    const clock = manualClock('2026-05-01T10:00:30.000Z');
    const limiter = new FixedWindowLimiter({ users: 2, groups: 1, other: 5 }, clock);
    assert.deepEqual(limiter.take('a', 'users'), { limit: 2, remaining: 1, reset: Date.parse('2026-05-01T10:01:00.000Z') / 1000, allowed: true });
    assert.equal(limiter.take('a', 'users').remaining, 0);
    assert.equal(limiter.take('a', 'users').allowed, false);
    assert.equal(limiter.take('b', 'users').allowed, true, 'another org has its own count');
    assert.equal(limiter.take('a', 'groups').allowed, true, 'another family has its own count');
    clock.advance(30_000);
    const next = limiter.take('a', 'users');
    assert.equal(next.allowed, true);
    assert.equal(next.reset, Date.parse('2026-05-01T10:02:00.000Z') / 1000);
  });

  it('refuses limits that are not positive integers', () => {
    assert.throws(() => new FixedWindowLimiter({ users: 0, groups: 1, other: 1 }, manualClock('2026-01-01T00:00:00Z')), /users/);
  });

  it('sorts paths into families', () => {
    assert.equal(rateFamily('/api/v1/users'), 'users');
    assert.equal(rateFamily('/api/v1/users?limit=2'), 'users');
    assert.equal(rateFamily('/api/v1/users/usr_1/lifecycle/suspend'), 'users');
    assert.equal(rateFamily('/api/v1/groups/grp_1/users'), 'groups');
    assert.equal(rateFamily('/api/v1/usersx'), 'other');
    assert.equal(rateFamily('/api/v1/widgets'), 'other');
  });
});

describe('rate limits over HTTP', () => {
  let hub: OktaHub;
  let acme: OktaOrg;
  let beta: OktaOrg;

  before(async () => {
    hub = await startOktaHub({ orgs: ['acme', 'beta'], okta: { rateLimits: { users: 3, groups: 2 } } });
    acme = hub.org('acme');
    beta = hub.org('beta');
  });
  after(async () => hub.close());

  it('sends the headers on every response and 429 E0000047 past the limit, until the window ends', async () => {
    // Start at the beginning of a window so the requests below share it.
    const now = Date.now();
    hub.advance(60_000 - (now % 60_000) + 10);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await acme.api('GET', '/users');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-rate-limit-limit'), '3');
      seen.push(Number(res.headers.get('x-rate-limit-remaining')));
    }
    assert.deepEqual(seen, [2, 1, 0]);
    const refused = await acme.api('GET', '/users/nobody');
    const body = assertOktaError(refused, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
    assert.match(body.errorCauses[0].errorSummary, /more than 3 requests to the users endpoints/);
    assert.equal(refused.headers.get('x-rate-limit-remaining'), '0');
    const reset = Number(refused.headers.get('x-rate-limit-reset'));
    assert.ok(Number.isInteger(reset) && reset * 1000 > Date.now());

    // Other families and other orgs are counted apart.
    assert.equal((await acme.api('GET', '/groups')).headers.get('x-rate-limit-limit'), '2');
    assert.equal((await beta.api('GET', '/users')).status, 200);
    // Errors within the limit carry the headers too.
    const notFound = await beta.api('GET', '/users/nobody');
    assert.equal(notFound.status, 404);
    assert.equal(notFound.headers.get('x-rate-limit-remaining'), '1');

    hub.advance(60_000);
    const again = await acme.api('GET', '/users');
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('x-rate-limit-remaining'), '2');
    assert.ok(Number(again.headers.get('x-rate-limit-reset')) > reset);
  });
});
