import type { ProviderFamily } from './request.js';

/** v2 provider names (as the v2 API reports them) → the family an admin picks in the form. */
const FAMILY_BY_V2_PROVIDER: Record<string, ProviderFamily> = {
  gmail: 'google',
  google: 'google',
  graph: 'microsoft',
  office365: 'microsoft',
  exchange: 'microsoft',
  eas: 'microsoft',
  ews: 'microsoft',
  hotmail: 'microsoft',
  outlook: 'microsoft',
  imap: 'imap',
  aol: 'imap',
  icloud: 'icloud',
  yahoo: 'yahoo',
};

export function providerFamily(v2Provider: string): ProviderFamily {
  return FAMILY_BY_V2_PROVIDER[v2Provider.toLowerCase()] ?? 'other';
}

/** Domains of Microsoft's consumer mail (Hotmail, Outlook.com, Live, MSN). */
const PERSONAL_MICROSOFT_DOMAIN = /@(hotmail|outlook|live|msn|passport)\.[a-z.]+$/i;

/**
 * A personal Microsoft account on Exchange: Nylas cannot migrate these; the user must authenticate
 * again on v3 (nylas.md). They are expected to end as placeholders or failures.
 */
export function isPersonalMicrosoft(account: { provider: string; email: string }): boolean {
  const provider = account.provider.toLowerCase();
  if (provider === 'hotmail' || provider === 'outlook') return true;
  return providerFamily(provider) === 'microsoft' && PERSONAL_MICROSOFT_DOMAIN.test(account.email);
}

export const PROVIDER_FAMILY_LABELS: Record<ProviderFamily, string> = {
  google: 'Google',
  microsoft: 'Microsoft',
  imap: 'IMAP',
  icloud: 'iCloud',
  yahoo: 'Yahoo',
  other: 'Other',
};
