/** Nylas data-center regions. A v2 app can only be migrated into a v3 app of the same region. */
export const REGIONS = ['us', 'eu'] as const;
export type Region = (typeof REGIONS)[number];

/** Nylas's public hosts per region (nylas.md). The Canada v2 data center is set per app with `api_url`. */
export const DEFAULT_HOSTS: Readonly<Record<Region, { readonly v2: string; readonly v3: string }>> = {
  us: { v2: 'https://api.nylas.com', v3: 'https://api.us.nylas.com' },
  eu: { v2: 'https://ireland.api.nylas.com', v3: 'https://api.eu.nylas.com' },
};

export interface HostOverrides {
  readonly v2: string | undefined;
  readonly v3: string | undefined;
}

/** The hosts to use for a region: the env override when set, else Nylas's own. */
export function hostsFor(region: Region, overrides?: Readonly<Record<Region, HostOverrides>>) {
  return {
    v2: overrides?.[region].v2 ?? DEFAULT_HOSTS[region].v2,
    v3: overrides?.[region].v3 ?? DEFAULT_HOSTS[region].v3,
  };
}

/** The Dashboard's own wording for a cross-region request, shown to the admin as is. */
export const REGION_MISMATCH_MESSAGE =
  'You can only import a v2 application into a v3 application in the same data center region';
