import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MAX_VIEW_JSON_BYTES, validateHomeView, validateModalView } from '../block-kit.js';
import type { SimState, StoredView } from '../state.js';
import { fail, invalidArguments, type MethodSpec, ok, parseArgs, type SlackBody } from './method.js';

type ViewInput = Record<string, unknown>;

const viewArg = z.record(z.string(), z.unknown());

function viewProblem(state: SimState, view: ViewInput): SlackBody | undefined {
  const messages = validateModalView(view, { lengthUnit: state.config.lengthUnit });
  return messages.length === 0 ? undefined : invalidArguments(messages);
}

function newHash(): string {
  return `${Math.floor(Date.now() / 1000)}.${randomBytes(6).toString('hex')}`;
}

/** The view as Slack returns it: what was sent, plus ids, hash and an empty state. */
function render(
  state: SimState,
  stored: Omit<StoredView, 'rendered'>,
  view: ViewInput,
  previous: string | null,
) {
  return {
    ...view,
    id: stored.id,
    team_id: state.config.teamId,
    app_id: 'A_SIM',
    bot_id: state.config.botId,
    hash: stored.hash,
    root_view_id: stored.rootViewId,
    previous_view_id: previous,
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    external_id: stored.externalId ?? '',
    state: { values: {} },
  };
}

function store(state: SimState, view: ViewInput, rootViewId: string | undefined, previous: string | null) {
  const id = state.nextId('V');
  const externalId =
    typeof view.external_id === 'string' && view.external_id !== '' ? view.external_id : undefined;
  const base = { id, hash: newHash(), rootViewId: rootViewId ?? id, ...(externalId ? { externalId } : {}) };
  const stored: StoredView = { ...base, rendered: render(state, base, view, previous) };
  state.views.set(id, stored);
  return stored;
}

function externalIdTaken(state: SimState, view: ViewInput): boolean {
  if (typeof view.external_id !== 'string' || view.external_id === '') return false;
  for (const stored of state.views.values()) if (stored.externalId === view.external_id) return true;
  return false;
}

const OpenArgs = z.object({ trigger_id: z.string().min(1), view: viewArg });

/** views.open and views.push: both spend a trigger id on a new view. */
function opener(kind: 'open' | 'push'): MethodSpec {
  return {
    handle(rawArgs, { state }) {
      const parsed = parseArgs(OpenArgs, rawArgs);
      if (!parsed.ok) return parsed.body;
      const { trigger_id: triggerId, view } = parsed.data;
      const problem = viewProblem(state, view);
      if (problem !== undefined) return problem;
      if (externalIdTaken(state, view)) return fail('duplicate_external_id');
      const verdict = state.triggers.exchange(triggerId);
      if (verdict !== 'ok') return fail(verdict);
      const stored = store(state, view, undefined, null);
      state.viewEvents.push({ kind, viewId: stored.id, triggerId, view, at: Date.now() });
      return ok({ view: stored.rendered });
    },
  };
}

export const viewsOpen = opener('open');
export const viewsPush = opener('push');

const UpdateArgs = z.object({
  view: viewArg,
  view_id: z.string().optional(),
  external_id: z.string().optional(),
  hash: z.string().optional(),
});

export const viewsUpdate: MethodSpec = {
  handle(rawArgs, { state }) {
    const parsed = parseArgs(UpdateArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const args = parsed.data;
    if (!args.view_id && !args.external_id) {
      return invalidArguments(['[ERROR] either view_id or external_id is required [json-pointer:/view_id]']);
    }
    const current = [...state.views.values()].find((stored) =>
      args.view_id ? stored.id === args.view_id : stored.externalId === args.external_id,
    );
    if (current === undefined) return fail('not_found');
    if (args.hash !== undefined && args.hash !== current.hash) return fail('hash_conflict');
    const problem = viewProblem(state, args.view);
    if (problem !== undefined) return problem;
    const base = {
      id: current.id,
      hash: newHash(),
      rootViewId: current.rootViewId,
      ...(current.externalId ? { externalId: current.externalId } : {}),
    };
    const previous = current.rendered.previous_view_id;
    const updated: StoredView = {
      ...base,
      rendered: render(state, base, args.view, typeof previous === 'string' ? previous : null),
    };
    state.views.set(current.id, updated);
    state.viewEvents.push({ kind: 'update', viewId: current.id, view: args.view, at: Date.now() });
    return ok({ view: updated.rendered });
  },
};

const PublishArgs = z.object({ user_id: z.string().min(1), view: viewArg, hash: z.string().optional() });

/**
 * views.publish: the Home tab of one user, replaced as a whole. Slack checks the view (Block Kit,
 * `type: 'home'`, ≤ 100 blocks, ≤ 250 kB of JSON), that the user exists and that the app has its Home
 * tab enabled; a `hash` must match the current one. No scope is needed.
 */
export const viewsPublish: MethodSpec = {
  handle(rawArgs, { state }) {
    const parsed = parseArgs(PublishArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const { user_id: userId, view, hash } = parsed.data;
    if (!state.config.homeTabEnabled) return fail('not_enabled');
    if (Buffer.byteLength(JSON.stringify(view)) > MAX_VIEW_JSON_BYTES) return fail('view_too_large');
    const messages = validateHomeView(view);
    if (messages.length > 0) return invalidArguments(messages);
    const user = state.directory.user(userId);
    if (user === undefined || user.deleted) return fail('user_not_found');
    const current = state.homeViews.get(userId);
    if (hash !== undefined && current !== undefined && hash !== current.hash) return fail('hash_conflict');
    const id = current?.id ?? state.nextId('V');
    const base = { id, hash: newHash(), rootViewId: id };
    const stored: StoredView = { ...base, rendered: render(state, base, view, null) };
    state.homeViews.set(userId, stored);
    state.viewEvents.push({ kind: 'publish', viewId: id, userId, view, at: Date.now() });
    return ok({ view: stored.rendered });
  },
};
