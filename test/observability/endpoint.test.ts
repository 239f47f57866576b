import { describe, expect, it } from 'vitest';
import { endpointOf } from '../../src/observability/endpoint.js';

describe('endpointOf: bounded metric labels', () => {
  it.each([
    ['/v3/migration-tools/grants/acct_9f2k/clone', '/v3/migration-tools/grants/{id}/clone'],
    ['/a/v2-acme-client/accounts?offset=100&limit=100', '/a/{id}/accounts'],
    ['/v3/grants', '/v3/grants'],
    ['/v3/applications', '/v3/applications'],
    ['/v3/connectors/google', '/v3/connectors/{id}'],
    ['/v3/grants/6d1b58f3-8a38-4b0e-9d6f-1f0b0a7b2c11', '/v3/grants/{id}'],
  ])('%s → %s', (path, endpoint) => {
    expect(endpointOf(path)).toBe(endpoint);
  });
});
