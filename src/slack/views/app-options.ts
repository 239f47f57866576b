import type { PlainTextOption } from '@slack/types';
import type { AppsRegistry, V2App, V3App } from '../../config/apps-registry.js';
import { plain, truncate } from './text.js';

/** Slack's ceiling for a static_select's options, and for one options-load answer. */
export const MAX_SELECT_OPTIONS = 100;

const REGION_LABEL = { us: 'US', eu: 'EU' } as const;

export type AppKind = 'v2' | 'v3';

/** Above Slack's ceiling the form uses an external_select fed by the options-load URL. */
export function needsExternalSelect(registry: AppsRegistry, kind: AppKind): boolean {
  return (kind === 'v2' ? registry.v2Apps : registry.v3Apps).length > MAX_SELECT_OPTIONS;
}

/**
 * One app as an option: its name, region, Legacy for v2, and whether a migration is running. The
 * markers must survive Slack's 75-character limit, so only the name is shortened.
 */
export function appOption(app: V2App | V3App, busy: boolean): PlainTextOption {
  const markers = ` · ${REGION_LABEL[app.region]}${app.kind === 'v2' ? ' · Legacy' : ''}${busy ? ' · migration running' : ''}`;
  return { text: plain(`${truncate(app.name, 75 - markers.length)}${markers}`), value: app.id };
}

/**
 * The apps matching what the admin typed (name or id, any case), in the registry's order, at most
 * Slack's 100.
 */
export function matchingApps(registry: AppsRegistry, kind: AppKind, query: string): Array<V2App | V3App> {
  const apps: ReadonlyArray<V2App | V3App> = kind === 'v2' ? registry.v2Apps : registry.v3Apps;
  const needle = query.trim().toLowerCase();
  const found = needle
    ? apps.filter((app) => app.name.toLowerCase().includes(needle) || app.id.toLowerCase().includes(needle))
    : apps;
  return found.slice(0, MAX_SELECT_OPTIONS);
}
