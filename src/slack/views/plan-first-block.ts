import type { KnownBlock } from '@slack/types';
import { ACTION } from '../ids.js';
import { plain } from './text.js';

/** The confirm view's "Plan first" button: a dry run with the same choices, nothing changed at Nylas. */
export function planFirstBlock(): KnownBlock {
  return {
    type: 'actions',
    block_id: 'plan_first',
    elements: [
      {
        type: 'button',
        action_id: ACTION.planFirst,
        text: plain('Plan first (no changes)'),
        value: 'plan',
      },
    ],
  };
}
