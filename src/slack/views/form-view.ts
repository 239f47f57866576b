import type { ModalView, PlainTextOption } from '@slack/types';
import type { AppsRegistry } from '../../config/apps-registry.js';
import { PROVIDER_FAMILY_LABELS } from '../../migration/providers.js';
import { DESCRIPTION_MAX, ENVIRONMENT_TAGS, PROVIDER_FAMILIES, TITLE_MAX } from '../../migration/request.js';
import { BLOCK, CALLBACK, INPUT, OPTION } from '../ids.js';
import { type AppKind, appOption, needsExternalSelect } from './app-options.js';
import { plain } from './text.js';

export interface FormMetadata {
  /** Where /migrate was typed: the thread goes there unless MIGRATE_CHANNEL is set. */
  channel: string;
  /** The command's response_url: notices after the confirmation land where /migrate was typed. */
  responseUrl?: string | undefined;
}

export const OPTION_LABELS: Record<(typeof OPTION)[keyof typeof OPTION], string> = {
  [OPTION.placeholders]: "Create placeholder grants for accounts that can't be migrated",
  [OPTION.microsoftPlaceholders]: 'Create placeholder grants for Microsoft accounts',
  [OPTION.skipInactiveBilling]: 'Skip cancelled and deleted v2 accounts',
};

const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });

/**
 * The form modal. Labels carry the contract's words ("v2 application", "v3 application", "Title",
 * "Environment", "Description"); v2 apps are marked Legacy, and busy ones say so.
 */
export function formView(input: {
  registry: AppsRegistry;
  busyV2: ReadonlySet<string>;
  busyV3: ReadonlySet<string>;
  metadata: FormMetadata;
}): ModalView {
  // Up to Slack's 100 options the list is in the form; beyond, Slack asks us as the admin types.
  const appSelect = (kind: AppKind, actionId: string, placeholder: string) =>
    needsExternalSelect(input.registry, kind)
      ? {
          type: 'external_select' as const,
          action_id: actionId,
          placeholder: plain(placeholder),
          min_query_length: 0,
        }
      : {
          type: 'static_select' as const,
          action_id: actionId,
          placeholder: plain(placeholder),
          options: (kind === 'v2' ? input.registry.v2Apps : input.registry.v3Apps).map((app) =>
            appOption(app, (kind === 'v2' ? input.busyV2 : input.busyV3).has(app.id)),
          ),
        };
  const checkboxOptions = Object.entries(OPTION_LABELS).map(([value, text]) => option(text, value));
  const providerOptions = PROVIDER_FAMILIES.map((family) => option(PROVIDER_FAMILY_LABELS[family], family));
  const production = option('Production', 'Production');

  return {
    type: 'modal',
    callback_id: CALLBACK.form,
    title: plain('Migrate to Nylas v3', 24),
    submit: plain('Review', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(input.metadata),
    blocks: [
      {
        type: 'input',
        block_id: BLOCK.v2App,
        label: plain('v2 application (Legacy)'),
        element: appSelect('v2', INPUT.v2App, 'Choose the v2 app to migrate'),
      },
      {
        type: 'input',
        block_id: BLOCK.v3App,
        label: plain('Destination v3 application'),
        hint: plain('Same data center region as the v2 application', 150),
        element: appSelect('v3', INPUT.v3App, 'Choose the v3 app'),
      },
      {
        type: 'input',
        block_id: BLOCK.title,
        label: plain('Title'),
        element: {
          type: 'plain_text_input',
          action_id: INPUT.title,
          max_length: TITLE_MAX,
          placeholder: plain('Name of the v3 application'),
        },
      },
      {
        type: 'input',
        block_id: BLOCK.environment,
        label: plain('Environment'),
        element: {
          type: 'static_select',
          action_id: INPUT.environment,
          options: ENVIRONMENT_TAGS.map((tag) => option(tag, tag)),
          initial_option: production,
        },
      },
      {
        type: 'input',
        block_id: BLOCK.description,
        optional: true,
        label: plain('Description'),
        element: {
          type: 'plain_text_input',
          action_id: INPUT.description,
          multiline: true,
          max_length: DESCRIPTION_MAX,
        },
      },
      {
        type: 'input',
        block_id: BLOCK.options,
        optional: true,
        label: plain('Options'),
        element: {
          type: 'checkboxes',
          action_id: INPUT.options,
          options: checkboxOptions,
          initial_options: checkboxOptions,
        },
      },
      {
        type: 'input',
        block_id: BLOCK.providers,
        optional: true,
        label: plain('Providers to include'),
        hint: plain('All providers when left empty', 150),
        element: {
          type: 'multi_static_select',
          action_id: INPUT.providers,
          options: providerOptions,
          initial_options: providerOptions,
        },
      },
    ],
  };
}
