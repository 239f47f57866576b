/**
 * What Nylas may send back beyond the spec's happy shapes: optional fields missing or `null`, grant
 * statuses the spec does not list. The schemas must read them all, and keep unknown values verbatim.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { v2AccountSchema } from '../../src/nylas/schemas/v2.js';
import {
  connectorSchema,
  envelope,
  grantSchema,
  migrationJobSchema,
  v3ApplicationSchema,
} from '../../src/nylas/schemas/v3.js';

describe('v3 schemas tolerate missing and null optional fields', () => {
  it('an application with nulls everywhere but its id reads as absent fields', () => {
    const parsed = envelope(v3ApplicationSchema).parse({
      request_id: null,
      data: {
        application_id: 'app-1',
        organization_id: null,
        region: null,
        environment: null,
        v2_application_id: null,
        branding: { name: null, icon_url: null, website_url: 'https://x.example', description: null },
        callback_uris: null,
      },
      limit: null,
      offset: null,
      next_cursor: null,
    });
    expect(parsed.request_id).toBeUndefined();
    expect(parsed.data).toMatchObject({
      application_id: 'app-1',
      region: undefined,
      v2_application_id: undefined,
      callback_uris: undefined,
    });
    expect(parsed.data.branding?.website_url).toBe('https://x.example');
    expect(parsed.data.branding?.name).toBeUndefined();
    expect(v3ApplicationSchema.parse({ application_id: 'app-2' }).branding).toBeUndefined();
  });

  it('grants: grant_status missing, null, blocked or unknown; provider, email and account_id null', () => {
    const grants = z.array(grantSchema).parse([
      { id: 'g1', provider: 'google' },
      { id: 'g2', provider: null, grant_status: null, account_id: null, email: null, created_at: null },
      { id: 'g3', provider: 'microsoft', grant_status: 'blocked', scope: null },
      { id: 'g4', provider: 'imap', grant_status: 'suspended_by_admin' },
    ]);
    expect(grants.map((g) => g.grant_status)).toEqual([
      undefined,
      undefined,
      'blocked',
      'suspended_by_admin',
    ]);
    expect(grants[1]).toMatchObject({ provider: undefined, account_id: undefined, created_at: undefined });
    // What the bot cannot do without still fails loudly.
    expect(grantSchema.safeParse({ provider: 'google' }).success).toBe(false);
    expect(grantSchema.safeParse({ id: '' }).success).toBe(false);
  });

  it('connectors and migration jobs with null optional fields', () => {
    expect(
      connectorSchema.parse({ provider: 'google', name: null, settings: null, scope: null }),
    ).toMatchObject({ provider: 'google', name: undefined, settings: undefined, scope: undefined });
    const job = migrationJobSchema.parse({
      job_id: 'j1',
      type: 'migration',
      status: 'running',
      count_all: null,
      count_success: null,
      count_failed: null,
      linked_job_id: null,
    });
    expect(job).toMatchObject({ job_id: 'j1', status: 'running', count_all: undefined });
  });
});

describe('v2 accounts keep every sync state verbatim', () => {
  it('partial, invalid, an unknown state and a null all read', () => {
    const states = ['partial', 'invalid', 'frozen-by-ops', null].map(
      (sync_state) => v2AccountSchema.parse({ id: 'a', provider: 'gmail', sync_state }).sync_state,
    );
    expect(states).toEqual(['partial', 'invalid', 'frozen-by-ops', 'unknown']);
  });
});
