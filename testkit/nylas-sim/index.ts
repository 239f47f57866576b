/**
 * Nylas v2+v3 simulator: a real HTTP server that answers the v2 application API and the v3
 * applications, connectors, grants and migration-tools API as documented, with seeded datasets,
 * per-app rate limits, latency and faults. Used by the demo, the tests and the benchmarks.
 */
export { generateDataset, type V2Dataset } from './dataset.js';
export { decideClone, v3ProviderOf } from './outcomes.js';
export { startNylasSim } from './server.js';
export type {
  CloneFlags,
  CloneRule,
  ExpectedOutcome,
  FaultMatch,
  GrantStatusOverride,
  InjectedFault,
  MigrationJobObject,
  NylasSim,
  NylasSimOptions,
  Region,
  SimApplicationObject,
  SimConnector,
  SimCounters,
  SimGrant,
  SimV2Account,
  SimV2AppConfig,
  SimV3AppConfig,
  V2BillingState,
  V2Provider,
  V2SyncState,
  V3Provider,
} from './types.js';
