import { z } from 'zod';
import {
  DESCRIPTION_MAX,
  ENVIRONMENT_TAGS,
  type MigrationOptions,
  PROVIDER_FAMILIES,
  TITLE_MAX,
} from '../migration/request.js';
import { BLOCK, INPUT, OPTION } from './ids.js';

/** What the form yields once valid: ids and choices only. */
export const formInputSchema = z.object({
  v2AppId: z.string().min(1),
  v3AppId: z.string().min(1),
  title: z.string().min(1).max(TITLE_MAX),
  environment: z.enum(ENVIRONMENT_TAGS),
  description: z.string().max(DESCRIPTION_MAX).optional(),
  options: z.object({
    placeholders: z.boolean(),
    microsoftPlaceholders: z.boolean(),
    skipInactiveBilling: z.boolean(),
    providers: z.array(z.enum(PROVIDER_FAMILIES)).min(1).optional(),
  }),
});
export type FormInput = z.infer<typeof formInputSchema> & { options: MigrationOptions };

/** `view.state.values` as Slack sends it; anything else is refused (a client can send anything). */
const selected = z.object({ value: z.string() }).nullish();
const stateSchema = z.object({
  [BLOCK.v2App]: z.object({ [INPUT.v2App]: z.object({ selected_option: selected }) }).optional(),
  [BLOCK.v3App]: z.object({ [INPUT.v3App]: z.object({ selected_option: selected }) }).optional(),
  [BLOCK.title]: z.object({ [INPUT.title]: z.object({ value: z.string().nullish() }) }).optional(),
  [BLOCK.environment]: z.object({ [INPUT.environment]: z.object({ selected_option: selected }) }).optional(),
  [BLOCK.description]: z
    .object({ [INPUT.description]: z.object({ value: z.string().nullish() }) })
    .optional(),
  [BLOCK.options]: z
    .object({
      [INPUT.options]: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }),
    })
    .optional(),
  [BLOCK.providers]: z
    .object({
      [INPUT.providers]: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }),
    })
    .optional(),
});

export type FormErrors = Partial<Record<(typeof BLOCK)[keyof typeof BLOCK], string>>;

/** Reads and checks the form's values; errors are keyed by block, for Slack's inline errors. */
export function readForm(values: unknown): { ok: true; form: FormInput } | { ok: false; errors: FormErrors } {
  const state = stateSchema.safeParse(values ?? {});
  if (!state.success)
    return { ok: false, errors: { [BLOCK.v2App]: 'The form could not be read; open /migrate again' } };
  const s = state.data;
  const errors: FormErrors = {};

  const v2AppId = s[BLOCK.v2App]?.[INPUT.v2App]?.selected_option?.value;
  const v3AppId = s[BLOCK.v3App]?.[INPUT.v3App]?.selected_option?.value;
  const title = s[BLOCK.title]?.[INPUT.title]?.value?.trim() ?? '';
  const environment = s[BLOCK.environment]?.[INPUT.environment]?.selected_option?.value;
  const description = s[BLOCK.description]?.[INPUT.description]?.value?.trim() || undefined;
  const checked = new Set((s[BLOCK.options]?.[INPUT.options]?.selected_options ?? []).map((o) => o.value));
  const providerValues = (s[BLOCK.providers]?.[INPUT.providers]?.selected_options ?? []).map((o) => o.value);

  if (!v2AppId) errors[BLOCK.v2App] = 'Choose the v2 application to migrate';
  if (!v3AppId) errors[BLOCK.v3App] = 'Choose the destination v3 application';
  if (title === '') errors[BLOCK.title] = `Enter a title (1 to ${TITLE_MAX} characters)`;
  else if (title.length > TITLE_MAX)
    errors[BLOCK.title] = `Keep the title to ${TITLE_MAX} characters or fewer (it has ${lengthNote(title)})`;
  if (!ENVIRONMENT_TAGS.includes(environment as never))
    errors[BLOCK.environment] = 'Choose Development, Staging or Production';
  if (description && description.length > DESCRIPTION_MAX) {
    errors[BLOCK.description] =
      `Keep the description to ${DESCRIPTION_MAX} characters or fewer (it has ${lengthNote(description)})`;
  }
  const unknownProvider = providerValues.find((p) => !PROVIDER_FAMILIES.includes(p as never));
  if (unknownProvider) errors[BLOCK.providers] = `Unknown provider "${unknownProvider}"`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const allProviders = providerValues.length === 0 || providerValues.length === PROVIDER_FAMILIES.length;
  const form = formInputSchema.parse({
    v2AppId,
    v3AppId,
    title,
    environment,
    description,
    options: {
      placeholders: checked.has(OPTION.placeholders),
      microsoftPlaceholders: checked.has(OPTION.microsoftPlaceholders),
      skipInactiveBilling: checked.has(OPTION.skipInactiveBilling),
      ...(allProviders ? {} : { providers: providerValues }),
    },
  });
  return { ok: true, form };
}

/**
 * A text's length as the limits count it (UTF-16 units, so the text fits Slack and Nylas whichever
 * way they count "characters"), saying why when that is more than the user sees (emoji count two).
 */
function lengthNote(text: string): string {
  const seen = [...text].length;
  return seen === text.length ? String(text.length) : `${text.length}; emoji and some symbols count as two`;
}
