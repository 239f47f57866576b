/** Every Redis key the app writes, in one place, under one prefix (tests use a unique one each). */
export function migrationKeys(prefix: string) {
  const mig = (id: string) => `${prefix}:mig:${id}`;
  return {
    request: (id: string) => `${mig(id)}:request`,
    state: (id: string) => `${mig(id)}:state`,
    accounts: (id: string) => `${mig(id)}:accounts`,
    accountIds: (id: string) => `${mig(id)}:account_ids`,
    results: (id: string) => `${mig(id)}:results`,
    cancel: (id: string) => `${mig(id)}:cancel`,
    /** Every per-migration key, for expiry. */
    allOf: (id: string) =>
      ['request', 'state', 'accounts', 'account_ids', 'results', 'cancel'].map((k) => `${mig(id)}:${k}`),
    activeV2: (appId: string) => `${prefix}:active:v2:${appId}`,
    activeV3: (appId: string) => `${prefix}:active:v3:${appId}`,
    linkedV3: (appId: string) => `${prefix}:linked:v3:${appId}`,
    recent: () => `${prefix}:recent`,
  };
}
export type MigrationKeys = ReturnType<typeof migrationKeys>;

/** Migration records and results are kept this long after their last write, so status and reports survive. */
export const RECORD_TTL_MS = 30 * 24 * 60 * 60 * 1000;
