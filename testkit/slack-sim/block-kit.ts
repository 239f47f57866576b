/**
 * Block Kit validation: rejects what Slack rejects (limits, unknown types, duplicate ids, initial
 * options that are not among the options), so such bugs show up before production. Each problem is
 * reported in Slack's own wording style: `[ERROR] <reason> [json-pointer:/blocks/0/text/text]`.
 */

export type Surface = 'message' | 'modal';

export const MAX_MESSAGE_BLOCKS = 50;
export const MAX_MODAL_BLOCKS = 100;

const BLOCK_TYPES = new Set([
  'section',
  'divider',
  'header',
  'context',
  'actions',
  'input',
  'image',
  'rich_text',
  'file',
]);

const SELECTS = [
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
];
const MULTI_SELECTS = SELECTS.map((type) => `multi_${type}`);
const PICKERS = ['datepicker', 'timepicker', 'datetimepicker'];
const CHOICES = ['checkboxes', 'radio_buttons'];
const TEXT_INPUTS = [
  'plain_text_input',
  'email_text_input',
  'number_input',
  'url_text_input',
  'rich_text_input',
];

/** Which element types each place accepts (Block Kit reference, "works with"). */
const ACCESSORY_ELEMENTS = new Set([
  'button',
  'overflow',
  'image',
  'workflow_button',
  ...SELECTS,
  ...MULTI_SELECTS,
  ...CHOICES,
  'datepicker',
  'timepicker',
]);
const ACTIONS_ELEMENTS = new Set([
  'button',
  'overflow',
  'workflow_button',
  'rich_text_input',
  ...SELECTS,
  ...MULTI_SELECTS,
  ...CHOICES,
  ...PICKERS,
]);
const INPUT_ELEMENTS = new Set([
  ...SELECTS,
  ...MULTI_SELECTS,
  ...CHOICES,
  ...PICKERS,
  ...TEXT_INPUTS,
  'file_input',
]);
const KNOWN_ELEMENTS = new Set([...ACCESSORY_ELEMENTS, ...ACTIONS_ELEMENTS, ...INPUT_ELEMENTS]);

type Json = Record<string, unknown>;

/**
 * Slack's limits are in "characters" and its docs do not say which: code points (an emoji is one
 * character) or UTF-16 units (an astral emoji is two, as JavaScript's `length` counts). The stand-in
 * plays either; `utf16` is the stricter, so it is the default. Either way a text cut in the middle of
 * a surrogate pair is a bad string, never a "shorter" one.
 */
export type LengthUnit = 'code_points' | 'utf16';

export const DEFAULT_LENGTH_UNIT: LengthUnit = 'utf16';

export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** A text's length in Slack's "characters", under the given reading. */
export function textLength(text: string, unit: LengthUnit = DEFAULT_LENGTH_UNIT): number {
  return unit === 'utf16' ? text.length : codePoints(text);
}

/** How to count lengths while validating (the stand-in's `lengthUnit`). */
export interface ValidateOptions {
  lengthUnit?: LengthUnit;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Problems {
  readonly list: string[] = [];
  add(pointer: string, reason: string): void {
    this.list.push(`[ERROR] ${reason} [json-pointer:${pointer}]`);
  }
}

interface TextRule {
  max: number;
  plainOnly?: boolean;
  required?: boolean;
}

/** Checks the surface-wide and block-wide uniqueness rules while walking one surface. */
class SurfaceWalker {
  private readonly blockIds = new Set<string>();

  constructor(
    private readonly surface: Surface,
    private readonly problems: Problems,
    private readonly unit: LengthUnit = DEFAULT_LENGTH_UNIT,
  ) {}

  blocks(blocks: unknown, pointer: string): void {
    if (!Array.isArray(blocks)) {
      this.problems.add(pointer, 'must be an array');
      return;
    }
    const max = this.surface === 'modal' ? MAX_MODAL_BLOCKS : MAX_MESSAGE_BLOCKS;
    if (blocks.length > max) this.problems.add(pointer, `must be no more than ${max} items`);
    blocks.forEach((block, index) => {
      this.block(block, `${pointer}/${index}`);
    });
  }

  private block(block: unknown, at: string): void {
    if (!isObject(block)) {
      this.problems.add(at, 'must be an object');
      return;
    }
    const { type } = block;
    if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
      this.problems.add(`${at}/type`, `unknown block type ${JSON.stringify(type)}`);
      return;
    }
    const blockId = block.block_id;
    if (blockId !== undefined) {
      if (typeof blockId !== 'string' || blockId.length === 0 || textLength(blockId, this.unit) > 255) {
        this.problems.add(`${at}/block_id`, 'must be a string of 1 to 255 characters');
      } else if (this.blockIds.has(blockId)) {
        this.problems.add(`${at}/block_id`, `duplicate block_id ${JSON.stringify(blockId)}`);
      } else {
        this.blockIds.add(blockId);
      }
    }
    // Slack wants action_ids unique within their block (different blocks may share one).
    const actionIds = new Set<string>();
    switch (type) {
      case 'section':
        this.section(block, at, actionIds);
        break;
      case 'header':
        this.text(block.text, `${at}/text`, { max: 150, plainOnly: true, required: true });
        break;
      case 'context':
        this.context(block, at);
        break;
      case 'actions':
        this.elementList(block.elements, `${at}/elements`, 25, ACTIONS_ELEMENTS, actionIds);
        break;
      case 'input':
        this.input(block, at, actionIds);
        break;
      case 'image':
        this.image(block, at);
        this.text(block.title, `${at}/title`, { max: 2000, plainOnly: true });
        break;
      case 'rich_text':
        if (!Array.isArray(block.elements)) this.problems.add(`${at}/elements`, 'must be an array');
        break;
      case 'file':
        if (this.surface !== 'message')
          this.problems.add(`${at}/type`, 'file blocks are only allowed in messages');
        this.requiredString(block.external_id, `${at}/external_id`, 255);
        this.requiredString(block.source, `${at}/source`, 255);
        break;
      default:
        // divider: nothing to check
        break;
    }
  }

  private section(block: Json, at: string, actionIds: Set<string>): void {
    if (block.text === undefined && block.fields === undefined) {
      this.problems.add(at, 'must provide either text or fields');
    }
    this.text(block.text, `${at}/text`, { max: 3000 });
    if (block.fields !== undefined) {
      if (!Array.isArray(block.fields)) {
        this.problems.add(`${at}/fields`, 'must be an array');
      } else {
        if (block.fields.length > 10) this.problems.add(`${at}/fields`, 'must be no more than 10 items');
        block.fields.forEach((field, index) => {
          this.text(field, `${at}/fields/${index}`, { max: 2000, required: true });
        });
      }
    }
    if (block.accessory !== undefined) {
      this.element(block.accessory, `${at}/accessory`, ACCESSORY_ELEMENTS, actionIds);
    }
  }

  private context(block: Json, at: string): void {
    const { elements } = block;
    if (!Array.isArray(elements) || elements.length === 0) {
      this.problems.add(`${at}/elements`, 'must be a non-empty array');
      return;
    }
    if (elements.length > 10) this.problems.add(`${at}/elements`, 'must be no more than 10 items');
    elements.forEach((element, index) => {
      const pointer = `${at}/elements/${index}`;
      if (isObject(element) && element.type === 'image') {
        this.image(element, pointer);
      } else {
        this.text(element, pointer, { max: 3000, required: true });
      }
    });
  }

  private input(block: Json, at: string, actionIds: Set<string>): void {
    this.text(block.label, `${at}/label`, { max: 2000, plainOnly: true, required: true });
    this.text(block.hint, `${at}/hint`, { max: 2000, plainOnly: true });
    if (block.element === undefined) {
      this.problems.add(`${at}/element`, 'missing required field: element');
      return;
    }
    this.element(block.element, `${at}/element`, INPUT_ELEMENTS, actionIds);
  }

  private image(image: Json, at: string): void {
    this.requiredString(image.alt_text, `${at}/alt_text`, 2000);
    if (image.image_url === undefined && image.slack_file === undefined) {
      this.problems.add(at, 'must provide either image_url or slack_file');
    }
    if (image.image_url !== undefined) this.requiredString(image.image_url, `${at}/image_url`, 3000);
  }

  private elementList(
    elements: unknown,
    at: string,
    max: number,
    allowed: ReadonlySet<string>,
    actionIds: Set<string>,
  ): void {
    if (!Array.isArray(elements) || elements.length === 0) {
      this.problems.add(at, 'must be a non-empty array');
      return;
    }
    if (elements.length > max) this.problems.add(at, `must be no more than ${max} items`);
    elements.forEach((element, index) => {
      this.element(element, `${at}/${index}`, allowed, actionIds);
    });
  }

  private element(element: unknown, at: string, allowed: ReadonlySet<string>, actionIds: Set<string>): void {
    if (!isObject(element)) {
      this.problems.add(at, 'must be an object');
      return;
    }
    const { type } = element;
    if (typeof type !== 'string' || !KNOWN_ELEMENTS.has(type)) {
      this.problems.add(`${at}/type`, `unknown element type ${JSON.stringify(type)}`);
      return;
    }
    if (!allowed.has(type)) {
      this.problems.add(`${at}/type`, `element type ${JSON.stringify(type)} is not allowed here`);
      return;
    }
    const actionId = element.action_id;
    if (actionId !== undefined) {
      if (typeof actionId !== 'string' || actionId.length === 0 || textLength(actionId, this.unit) > 255) {
        this.problems.add(`${at}/action_id`, 'must be a string of 1 to 255 characters');
      } else if (actionIds.has(actionId)) {
        this.problems.add(`${at}/action_id`, `duplicate action_id ${JSON.stringify(actionId)}`);
      } else {
        actionIds.add(actionId);
      }
    }
    if (type !== 'button' && type !== 'image') {
      this.text(element.placeholder, `${at}/placeholder`, { max: 150, plainOnly: true });
    }
    if (element.confirm !== undefined) this.confirmDialog(element.confirm, `${at}/confirm`);
    switch (type) {
      case 'button':
        this.text(element.text, `${at}/text`, { max: 75, plainOnly: true, required: true });
        this.optionalString(element.value, `${at}/value`, 2000);
        this.optionalString(element.url, `${at}/url`, 3000);
        if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
          this.problems.add(`${at}/style`, 'must be one of: primary, danger');
        }
        break;
      case 'image':
        this.image(element, at);
        break;
      case 'static_select':
      case 'multi_static_select':
        this.selectOptions(element, at, type === 'multi_static_select');
        break;
      case 'external_select':
      case 'multi_external_select':
        // Options come from the app's options load URL; the element itself carries none.
        if (element.options !== undefined || element.option_groups !== undefined) {
          this.problems.add(at, 'external selects take no options or option_groups');
        }
        if (
          element.min_query_length !== undefined &&
          (typeof element.min_query_length !== 'number' || element.min_query_length < 0)
        ) {
          this.problems.add(`${at}/min_query_length`, 'must be a number of at least 0');
        }
        if (element.initial_option !== undefined)
          this.option(element.initial_option, `${at}/initial_option`, true);
        break;
      case 'overflow':
        this.optionList(element.options, `${at}/options`, 5, true);
        break;
      case 'radio_buttons':
        this.optionList(element.options, `${at}/options`, 10, false);
        this.initialOptions(element, at, false, this.flatOptions(element.options));
        break;
      case 'checkboxes':
        this.optionList(element.options, `${at}/options`, 10, false);
        this.initialOptions(element, at, true, this.flatOptions(element.options));
        break;
      case 'plain_text_input':
        this.plainTextInput(element, at);
        break;
      case 'datepicker':
        if (element.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(element.initial_date))) {
          this.problems.add(`${at}/initial_date`, 'must be a date in the format YYYY-MM-DD');
        }
        break;
      default:
        break;
    }
    if (type.startsWith('multi_') && element.max_selected_items !== undefined) {
      const max = element.max_selected_items;
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
        this.problems.add(`${at}/max_selected_items`, 'must be an integer of at least 1');
      }
    }
  }

  /** A confirmation dialog object: every text required but `style`, each within its own limit. */
  private confirmDialog(dialog: unknown, at: string): void {
    if (!isObject(dialog)) {
      this.problems.add(at, 'must be an object');
      return;
    }
    this.text(dialog.title, `${at}/title`, { max: 100, plainOnly: true, required: true });
    this.text(dialog.text, `${at}/text`, { max: 300, required: true });
    this.text(dialog.confirm, `${at}/confirm`, { max: 30, plainOnly: true, required: true });
    this.text(dialog.deny, `${at}/deny`, { max: 30, plainOnly: true, required: true });
    if (dialog.style !== undefined && dialog.style !== 'primary' && dialog.style !== 'danger') {
      this.problems.add(`${at}/style`, 'must be one of: primary, danger');
    }
  }

  /** An options load answer has the same shape as a static select's options. */
  selectOptionsOf(body: Json, at: string): void {
    this.selectOptions(body, at, false);
  }

  private selectOptions(element: Json, at: string, multi: boolean): void {
    const hasOptions = element.options !== undefined;
    const hasGroups = element.option_groups !== undefined;
    if (hasOptions === hasGroups) {
      this.problems.add(at, 'must provide exactly one of options or option_groups');
      return;
    }
    let all: unknown[] = [];
    if (hasOptions) {
      this.optionList(element.options, `${at}/options`, 100, true);
      all = this.flatOptions(element.options);
    } else if (!Array.isArray(element.option_groups)) {
      this.problems.add(`${at}/option_groups`, 'must be an array');
    } else {
      if (element.option_groups.length > 100) {
        this.problems.add(`${at}/option_groups`, 'must be no more than 100 items');
      }
      element.option_groups.forEach((group, index) => {
        const pointer = `${at}/option_groups/${index}`;
        if (!isObject(group)) {
          this.problems.add(pointer, 'must be an object');
          return;
        }
        this.text(group.label, `${pointer}/label`, { max: 75, plainOnly: true, required: true });
        this.optionList(group.options, `${pointer}/options`, 100, true);
        all = all.concat(this.flatOptions(group.options));
      });
    }
    this.initialOptions(element, at, multi, all);
  }

  private flatOptions(options: unknown): unknown[] {
    return Array.isArray(options) ? options : [];
  }

  private optionList(options: unknown, at: string, max: number, plainOnly: boolean): void {
    if (!Array.isArray(options) || options.length === 0) {
      this.problems.add(at, 'must be a non-empty array');
      return;
    }
    if (options.length > max) this.problems.add(at, `must be no more than ${max} items`);
    options.forEach((option, index) => {
      this.option(option, `${at}/${index}`, plainOnly);
    });
  }

  private option(option: unknown, at: string, plainOnly: boolean): void {
    if (!isObject(option)) {
      this.problems.add(at, 'must be an object');
      return;
    }
    this.text(option.text, `${at}/text`, { max: 75, plainOnly, required: true });
    this.requiredString(option.value, `${at}/value`, 150);
    this.text(option.description, `${at}/description`, { max: 75, plainOnly });
  }

  /** Slack refuses an `initial_option(s)` that is not one of the element's options. */
  private initialOptions(element: Json, at: string, multi: boolean, options: unknown[]): void {
    const field = multi ? 'initial_options' : 'initial_option';
    const given = element[field];
    if (given === undefined) return;
    const initial = multi ? given : [given];
    if (!Array.isArray(initial)) {
      this.problems.add(`${at}/${field}`, 'must be an array');
      return;
    }
    initial.forEach((candidate, index) => {
      const pointer = multi ? `${at}/${field}/${index}` : `${at}/${field}`;
      if (!options.some((option) => sameOption(option, candidate))) {
        this.problems.add(pointer, 'must match one of the provided options');
      }
    });
  }

  private plainTextInput(element: Json, at: string): void {
    const { min_length: min, max_length: max, initial_value: initial } = element;
    if (min !== undefined && (typeof min !== 'number' || min < 0 || min > 3000)) {
      this.problems.add(`${at}/min_length`, 'must be a number from 0 to 3000');
    }
    if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 3000)) {
      this.problems.add(`${at}/max_length`, 'must be a number from 1 to 3000');
    }
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      this.problems.add(`${at}/min_length`, 'must not be greater than max_length');
    }
    if (initial !== undefined) {
      if (typeof initial !== 'string') {
        this.problems.add(`${at}/initial_value`, 'must be a string');
      } else if (typeof max === 'number' && textLength(initial, this.unit) > max) {
        this.problems.add(`${at}/initial_value`, `must be no longer than max_length (${max})`);
      }
    }
  }

  /** A text object; `undefined` is fine unless `required`. */
  text(value: unknown, at: string, rule: TextRule): void {
    if (value === undefined) {
      if (rule.required) this.problems.add(at, 'missing required field');
      return;
    }
    if (!isObject(value)) {
      this.problems.add(at, 'must be a text object');
      return;
    }
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn') {
      this.problems.add(`${at}/type`, 'must be one of: plain_text, mrkdwn');
      return;
    }
    if (rule.plainOnly && value.type !== 'plain_text') {
      this.problems.add(`${at}/type`, 'must be plain_text');
    }
    const text = value.text;
    if (typeof text !== 'string') {
      this.problems.add(`${at}/text`, 'must be a string');
    } else if (text.length === 0) {
      this.problems.add(`${at}/text`, 'must be more than 0 characters');
    } else if (textLength(text, this.unit) > rule.max) {
      this.problems.add(`${at}/text`, `must be less than ${rule.max + 1} characters`);
    }
  }

  requiredString(value: unknown, at: string, max: number): void {
    if (value === undefined) {
      this.problems.add(at, 'missing required field');
      return;
    }
    this.optionalString(value, at, max);
  }

  optionalString(value: unknown, at: string, max: number): void {
    if (value === undefined) return;
    if (typeof value !== 'string') {
      this.problems.add(at, 'must be a string');
    } else if (textLength(value, this.unit) > max) {
      this.problems.add(at, `must be less than ${max + 1} characters`);
    }
  }
}

function sameOption(option: unknown, candidate: unknown): boolean {
  if (!isObject(option) || !isObject(candidate)) return false;
  const text = isObject(option.text) ? option.text : {};
  const candidateText = isObject(candidate.text) ? candidate.text : {};
  return (
    option.value === candidate.value && text.text === candidateText.text && text.type === candidateText.type
  );
}

/** Problems with a message's `blocks` (chat.postMessage, chat.update, chat.postEphemeral). */
export function validateMessageBlocks(blocks: unknown, options: ValidateOptions = {}): string[] {
  const problems = new Problems();
  new SurfaceWalker('message', problems, options.lengthUnit).blocks(blocks, '/blocks');
  return problems.list;
}

/**
 * Problems with an options load answer (`block_suggestion` ack): `options` (≤ 100) or
 * `option_groups` (≤ 100 groups of ≤ 100), plain-text options as in a static select.
 */
export function validateOptionsResponse(body: unknown, options: ValidateOptions = {}): string[] {
  const problems = new Problems();
  const walker = new SurfaceWalker('modal', problems, options.lengthUnit);
  if (!isObject(body)) {
    problems.add('', 'must be an object');
    return problems.list;
  }
  // No match is an empty list, which a select element itself could not have.
  if (Array.isArray(body.options) && body.options.length === 0) return problems.list;
  walker.selectOptionsOf(body, '');
  return problems.list;
}

/** Problems with a view given to views.open / views.update / views.push. */
export function validateModalView(view: unknown, options: ValidateOptions = {}): string[] {
  const problems = new Problems();
  if (!isObject(view)) {
    problems.add('/view', 'must be an object');
    return problems.list;
  }
  const walker = new SurfaceWalker('modal', problems, options.lengthUnit);
  if (view.type === undefined) {
    problems.add('/view/type', 'missing required field: type');
  } else if (view.type !== 'modal') {
    problems.add('/view/type', 'must be modal');
  }
  walker.text(view.title, '/view/title', { max: 24, plainOnly: true, required: true });
  walker.text(view.close, '/view/close', { max: 24, plainOnly: true });
  walker.text(view.submit, '/view/submit', { max: 24, plainOnly: true });
  walker.optionalString(view.private_metadata, '/view/private_metadata', 3000);
  walker.optionalString(view.callback_id, '/view/callback_id', 255);
  walker.optionalString(view.external_id, '/view/external_id', 255);
  const hasInput =
    Array.isArray(view.blocks) && view.blocks.some((block) => isObject(block) && block.type === 'input');
  if (hasInput && view.submit === undefined) {
    problems.add('/view/submit', 'must provide submit when blocks contain input blocks');
  }
  if (view.blocks === undefined) {
    problems.add('/view/blocks', 'missing required field: blocks');
  } else {
    walker.blocks(view.blocks, '/view/blocks');
  }
  return problems.list;
}

/** Slack refuses a view (modal or Home) whose JSON is larger than this (`view_too_large`). */
export const MAX_VIEW_JSON_BYTES = 250 * 1024;

/**
 * Problems with a Home tab view given to views.publish: `type: 'home'`, at most 100 blocks, the same
 * block rules as a modal, and no modal-only fields (a Home tab has no title bar nor buttons of its own).
 */
export function validateHomeView(view: unknown): string[] {
  const problems = new Problems();
  if (!isObject(view)) {
    problems.add('/view', 'must be an object');
    return problems.list;
  }
  const walker = new SurfaceWalker('modal', problems);
  if (view.type === undefined) {
    problems.add('/view/type', 'missing required field: type');
  } else if (view.type !== 'home') {
    problems.add('/view/type', 'must be home');
  }
  for (const field of ['title', 'close', 'submit'] as const)
    if (view[field] !== undefined) problems.add(`/view/${field}`, `${field} is not allowed in a home view`);
  walker.optionalString(view.private_metadata, '/view/private_metadata', 3000);
  walker.optionalString(view.callback_id, '/view/callback_id', 255);
  walker.optionalString(view.external_id, '/view/external_id', 255);
  if (view.blocks === undefined) {
    problems.add('/view/blocks', 'missing required field: blocks');
  } else {
    walker.blocks(view.blocks, '/view/blocks');
  }
  return problems.list;
}
