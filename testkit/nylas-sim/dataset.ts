/**
 * Deterministic v2 account datasets: the same client id, count and seed always give the same
 * accounts in the same order. The mix follows what a real v2 app looks like (Google first, then
 * Microsoft, IMAP, iCloud, Yahoo, AOL), and small datasets are forced to contain one account of
 * every category the clone rules distinguish, so tests can rely on each rule showing up.
 */
import { IMPORTED_CONNECTOR_SET } from './connectors.js';
import { decideClone, isMicrosoft, isPersonalMicrosoftExchange, isRunning } from './outcomes.js';
import { createRandom, hashSeed, nylasId, type Random } from './random.js';
import type { SimV2Account, V2BillingState, V2Provider, V2SyncState } from './types.js';

export interface V2Dataset {
  /** In v2 listing order. */
  readonly accounts: readonly SimV2Account[];
  readonly byId: ReadonlyMap<string, SimV2Account>;
  /** Accounts whose first clone attempt fails with a provider_error (rule 8). */
  readonly flaky: ReadonlySet<string>;
}

/** `personal`: a Hotmail/Outlook.com/Live/MSN address (only meaningful for Microsoft providers). */
type Kind = { provider: V2Provider; personal: boolean };

const KIND_WEIGHTS: readonly (readonly [string, number])[] = [
  ['gmail', 35],
  ['graph', 12],
  ['office365', 8],
  ['exchange', 2.5],
  ['eas', 2.5],
  ['hotmail', 5],
  ['outlook', 4],
  ['eas-personal', 3],
  ['imap', 10],
  ['icloud', 6],
  ['yahoo', 6],
  ['aol', 2],
  ['nylas', 1],
];

const SYNC_WEIGHTS: readonly (readonly [V2SyncState, number])[] = [
  ['running', 78],
  ['partial', 3],
  ['stopped', 5],
  ['invalid', 2],
  ['invalid-credentials', 4],
  ['sync-error', 3],
  ['exception', 2],
  ['downloading', 2],
  ['initializing', 1],
];

const BILLING_WEIGHTS: readonly (readonly [V2BillingState, number])[] = [
  ['paid', 92],
  ['cancelled', 5],
  ['deleted', 3],
];

/** Share of all accounts that are flaky; applied to the accounts that would get a valid grant. */
const FLAKY_SHARE = 0.02;

const FIRST_NAMES = [
  'james',
  'mary',
  'robert',
  'patricia',
  'john',
  'jennifer',
  'michael',
  'linda',
  'david',
  'elizabeth',
  'william',
  'barbara',
  'richard',
  'susan',
  'joseph',
  'jessica',
  'thomas',
  'sarah',
  'carlos',
  'karen',
  'daniel',
  'lisa',
  'matthew',
  'nancy',
  'anthony',
  'betty',
  'mark',
  'sandra',
  'paul',
  'ashley',
  'steven',
  'emily',
  'andrew',
  'donna',
  'kenji',
  'michelle',
  'joshua',
  'carol',
  'ines',
  'amanda',
  'priya',
  'melissa',
  'omar',
  'deborah',
  'lucas',
  'stephanie',
  'ahmed',
  'rebecca',
  'sofia',
  'laura',
  'mateo',
  'chloe',
  'yuki',
  'fatima',
  'noah',
  'olga',
  'liam',
  'amara',
  'ethan',
  'zoe',
];

const LAST_NAMES = [
  'smith',
  'johnson',
  'williams',
  'brown',
  'jones',
  'garcia',
  'miller',
  'davis',
  'rodriguez',
  'martinez',
  'hernandez',
  'lopez',
  'gonzalez',
  'wilson',
  'anderson',
  'thomas',
  'taylor',
  'moore',
  'jackson',
  'martin',
  'lee',
  'perez',
  'thompson',
  'white',
  'harris',
  'sanchez',
  'clark',
  'ramirez',
  'lewis',
  'robinson',
  'walker',
  'young',
  'allen',
  'king',
  'wright',
  'scott',
  'torres',
  'nguyen',
  'hill',
  'flores',
  'green',
  'adams',
  'nelson',
  'baker',
  'hall',
  'rivera',
  'campbell',
  'mitchell',
  'carter',
  'roberts',
  'kowalski',
  'muller',
  'dubois',
  'rossi',
  'tanaka',
  'kim',
  'singh',
  'okafor',
  'silva',
  'novak',
];

const COMPANY_PREFIXES = [
  'north',
  'blue',
  'peak',
  'river',
  'stone',
  'bright',
  'iron',
  'cedar',
  'harbor',
  'summit',
];
const COMPANY_SUFFIXES = ['works', 'labs', 'logistics', 'capital', 'health', 'partners', 'systems', 'media'];
const COMPANY_TLDS = ['com', 'io', 'co', 'net', 'de', 'co.uk'];

const PERSONAL_MICROSOFT_DOMAINS = [
  'hotmail.com',
  'outlook.com',
  'live.com',
  'msn.com',
  'hotmail.co.uk',
  'live.fr',
];
const IMAP_DOMAINS = ['fastmail.com', 'gmx.de', 'zoho.com', 'mail.com', 'proton.me', 'web.de'];
const ICLOUD_DOMAINS = ['icloud.com', 'me.com', 'mac.com'];
const YAHOO_DOMAINS = ['yahoo.com', 'ymail.com', 'yahoo.co.uk', 'yahoo.fr'];

function kindOf(key: string): Kind {
  if (key === 'eas-personal') return { provider: 'eas', personal: true };
  const provider = key as V2Provider; // keys of KIND_WEIGHTS are V2Provider names apart from eas-personal
  return { provider, personal: provider === 'hotmail' || provider === 'outlook' };
}

function companyDomain(random: Random): string {
  return `${random.pick(COMPANY_PREFIXES)}${random.pick(COMPANY_SUFFIXES)}.${random.pick(COMPANY_TLDS)}`;
}

function domainFor(kind: Kind, random: Random): string {
  switch (kind.provider) {
    case 'gmail':
      return random.chance(0.7) ? 'gmail.com' : companyDomain(random);
    case 'graph':
    case 'office365':
    case 'exchange':
    case 'eas':
    case 'hotmail':
    case 'outlook':
      return kind.personal ? random.pick(PERSONAL_MICROSOFT_DOMAINS) : companyDomain(random);
    case 'imap':
      return random.chance(0.6) ? random.pick(IMAP_DOMAINS) : companyDomain(random);
    case 'icloud':
      return random.pick(ICLOUD_DOMAINS);
    case 'yahoo':
      return random.pick(YAHOO_DOMAINS);
    case 'aol':
      return 'aol.com';
    case 'nylas':
      return 'nylas.email';
  }
}

function authenticationTypeOf(provider: V2Provider): 'oauth' | 'password' {
  switch (provider) {
    case 'gmail':
    case 'graph':
    case 'office365':
    case 'hotmail':
    case 'outlook':
    case 'yahoo':
    case 'nylas':
      return 'oauth';
    default:
      return 'password';
  }
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

class AccountFactory {
  private readonly emails = new Set<string>();
  private readonly ids = new Set<string>();

  constructor(private readonly random: Random) {}

  newId(): string {
    for (;;) {
      const id = nylasId(this.random);
      if (!this.ids.has(id)) {
        this.ids.add(id);
        return id;
      }
    }
  }

  make(id: string, kind: Kind, sync: V2SyncState, billing: V2BillingState): SimV2Account {
    const random = this.random;
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const style = random.int(4);
    const local =
      style === 0
        ? `${first}.${last}`
        : style === 1
          ? `${first}${last}`
          : style === 2
            ? `${first[0]}${last}`
            : `${first}_${last}`;
    const domain = domainFor(kind, random);
    let email = `${local}@${domain}`;
    while (this.emails.has(email)) email = `${local}${random.int(100_000)}@${domain}`;
    this.emails.add(email);
    return {
      id,
      account_id: id,
      object: 'account',
      email,
      name: `${capitalise(first)} ${capitalise(last)}`,
      provider: kind.provider,
      sync_state: sync,
      billing_state: billing,
      authentication_type: authenticationTypeOf(kind.provider),
      trial: random.chance(0.05),
      namespace_id: nylasId(random),
    };
  }
}

/** Whether an account gets a valid grant once the v3 app is linked and imported (rule 9). */
function wouldBeValid(account: SimV2Account): boolean {
  const decision = decideClone({
    linked: true,
    account,
    connectors: IMPORTED_CONNECTOR_SET,
    flaky: false,
    attempt: 1,
    flags: { allowInvalidGrantCreation: true, cloneExchange: true },
  });
  return decision.kind === 'grant' && decision.grantStatus === 'valid';
}

interface Template {
  kind: Kind;
  sync: V2SyncState;
  billing: V2BillingState;
  present(account: SimV2Account): boolean;
}

/** One account of each kind the rules tell apart, in priority order (tiny datasets get the first ones). */
const TEMPLATES: readonly Template[] = [
  {
    kind: { provider: 'gmail', personal: false },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'gmail' && wouldBeValid(a),
  },
  {
    kind: { provider: 'gmail', personal: false },
    sync: 'running',
    billing: 'deleted',
    present: (a) => a.billing_state === 'deleted',
  },
  {
    kind: { provider: 'yahoo', personal: false },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'yahoo' && a.billing_state !== 'deleted',
  },
  {
    kind: { provider: 'hotmail', personal: true },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'hotmail' && a.billing_state !== 'deleted',
  },
  {
    kind: { provider: 'eas', personal: true },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'eas' && isPersonalMicrosoftExchange(a) && a.billing_state !== 'deleted',
  },
  {
    kind: { provider: 'office365', personal: false },
    sync: 'stopped',
    billing: 'paid',
    present: (a) =>
      isMicrosoft(a) && !isPersonalMicrosoftExchange(a) && !isRunning(a) && a.billing_state !== 'deleted',
  },
  {
    kind: { provider: 'imap', personal: false },
    sync: 'invalid-credentials',
    billing: 'paid',
    present: (a) =>
      !isMicrosoft(a) && a.provider !== 'yahoo' && a.sync_state !== 'running' && a.billing_state === 'paid',
  },
  {
    kind: { provider: 'aol', personal: false },
    sync: 'running',
    billing: 'cancelled',
    present: (a) => !isMicrosoft(a) && a.provider !== 'yahoo' && a.billing_state === 'cancelled',
  },
  {
    kind: { provider: 'graph', personal: false },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'graph' && wouldBeValid(a),
  },
  {
    kind: { provider: 'outlook', personal: true },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'outlook' && a.billing_state !== 'deleted',
  },
  {
    kind: { provider: 'exchange', personal: false },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'exchange' && wouldBeValid(a),
  },
  {
    kind: { provider: 'icloud', personal: false },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'icloud' && wouldBeValid(a),
  },
  {
    kind: { provider: 'imap', personal: false },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'imap' && wouldBeValid(a),
  },
  {
    kind: { provider: 'gmail', personal: false },
    sync: 'partial',
    billing: 'paid',
    present: (a) => a.sync_state === 'partial' && a.billing_state === 'paid',
  },
  {
    kind: { provider: 'imap', personal: false },
    sync: 'invalid',
    billing: 'paid',
    present: (a) => a.sync_state === 'invalid' && a.billing_state === 'paid',
  },
  {
    kind: { provider: 'aol', personal: false },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'aol',
  },
  {
    kind: { provider: 'nylas', personal: false },
    sync: 'running',
    billing: 'paid',
    present: (a) => a.provider === 'nylas' && a.billing_state === 'paid',
  },
];

/**
 * Generates `count` accounts for a v2 app. `seed` defaults to a hash of the client id. 100,000
 * accounts take well under a second.
 */
export function generateDataset(clientId: string, count: number, seed?: number): V2Dataset {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`accounts must be a non-negative integer: ${count}`);
  const random = createRandom(seed ?? hashSeed(clientId));
  const factory = new AccountFactory(random);
  const accounts: SimV2Account[] = [];
  for (let i = 0; i < count; i++) {
    const kind = kindOf(random.weighted(KIND_WEIGHTS));
    accounts.push(
      factory.make(factory.newId(), kind, random.weighted(SYNC_WEIGHTS), random.weighted(BILLING_WEIGHTS)),
    );
  }

  // Force the categories the rules distinguish, each into a slot no other template took.
  const forced = new Set<number>();
  for (const template of TEMPLATES) {
    if (forced.size >= count) break;
    const holder = accounts.findIndex((a, i) => template.present(a) && !forced.has(i));
    if (holder >= 0) {
      forced.add(holder);
      continue;
    }
    let slot = random.int(count);
    while (forced.has(slot)) slot = (slot + 1) % count;
    const old = accounts[slot];
    if (old === undefined) continue;
    accounts[slot] = factory.make(old.id, template.kind, template.sync, template.billing);
    forced.add(slot);
  }

  // Flaky accounts: only among those that would otherwise get a valid grant, and never all of them.
  const eligible = accounts.filter(wouldBeValid);
  const flaky = new Set<string>();
  if (eligible.length >= 2) {
    const p = Math.min(1, (FLAKY_SHARE * count) / eligible.length);
    for (const account of eligible) if (random.chance(p)) flaky.add(account.id);
    if (flaky.size === 0) flaky.add(random.pick(eligible).id);
    if (flaky.size === eligible.length) flaky.delete(random.pick(eligible).id);
  }

  const byId = new Map<string, SimV2Account>();
  for (const account of accounts) byId.set(account.id, account);
  return { accounts, byId, flaky };
}
