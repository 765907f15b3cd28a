import 'reflect-metadata';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { Viewer } from '../../src/auth/jwt';
import { buildContext, contextDeps, createServices } from '../../src/context';
import { RESOLVER_INSTANCES, resolverContainer, resolvers } from '../../src/schema';

// Resolvers get their services as constructor arguments (docs/architecture.md, "Layers"): the request's
// context is no service locator, so the layering check sees every call a resolver makes.
const viewer: Viewer = { sub: 'request-context-test', roles: new Set(['viewer']) } as Viewer;
// Never connects: services and loaders only keep the pool until a statement is sent.
const pool = new Pool({ max: 1 });
const services = createServices({ dataSource: {} as DataSource, pool }, { defaultPhoneRegion: 'US' });

afterAll(() => pool.end());

describe('the request context', () => {
  it('carries the viewer, request id, loaders and the refusal writer, and no services', async () => {
    const context = await buildContext(contextDeps(pool, services, async () => viewer), { authorization: 'Bearer token' }, 'rid', 10);
    expect(Object.keys(context).sort()).toEqual(['bodyBytes', 'loaders', 'recordDenied', 'requestId', 'viewer']);
    expect(Object.values(context)).not.toContain(services);
    // The resolver instances sit under a symbol only the composition can name.
    expect(Object.getOwnPropertySymbols(context)).toEqual([RESOLVER_INSTANCES]);
  });
});

describe('resolverContainer', () => {
  const container = resolverContainer(services);
  const known = new Set<unknown>(Object.values(services));
  const get = (type: Function) => container.get(type, {} as never) as Record<string, unknown>;

  it.each(resolvers.map((type) => [type.name, type] as const))('builds %s with every constructor argument one of the app services', (_name, type) => {
    const instance = get(type);
    expect(instance).toBeInstanceOf(type);
    // Parameter properties: one own field per constructor parameter, each a service of this app.
    const fields = Object.values(instance);
    expect(fields).toHaveLength(type.length);
    for (const field of fields) expect(known.has(field)).toBe(true);
  });

  it('answers the same instance for every call (built once per set of services)', () => {
    expect(get(resolvers[0])).toBe(get(resolvers[0]));
    expect(resolverContainer(services).get(resolvers[0], {} as never)).not.toBe(get(resolvers[0]));
  });
});
