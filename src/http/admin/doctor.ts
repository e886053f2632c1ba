/** Admin API route for `idsync doctor`: the same report as `idsync doctor --org ORG --json`. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalid } from '../../core/errors.js';
import type { ServiceContext } from '../../services/context.js';
import { DoctorService } from '../../services/doctor/doctor.js';
import { principal, queryString } from './params.js';

function probeParam(req: FastifyRequest): boolean {
  const v = queryString(req, 'probe');
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw invalid('ADMIN_INVALID_PARAMETER', `Query parameter "probe" must be true or false (got ${JSON.stringify(v.slice(0, 40))}).`);
}

export async function doctorRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  // GET /doctor?user=LOGIN|ID&app=NAME|ID&probe=true: every (user, assigned app) pair in scope.
  app.get('/doctor', async (req) => {
    const user = queryString(req, 'user');
    const appRef = queryString(req, 'app');
    const probe = probeParam(req);
    return new DoctorService(ctx, principal(req).org).run({ ...(user ? { user } : {}), ...(appRef ? { app: appRef } : {}), probe });
  });
}
