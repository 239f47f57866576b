/**
 * Terminal output of the demo: Slack's mrkdwn and Block Kit rendered as readable lines, optional
 * colour, and a live status line (on a TTY only) that permanent lines are printed above.
 */

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  code(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

export function makeStyle(color: boolean): Style {
  if (!color) {
    const same = (text: string) => text;
    return { bold: same, dim: same, code: same, green: same, red: same, yellow: same };
  }
  return {
    bold: ansi(1, 22),
    dim: ansi(2, 22),
    code: ansi(36, 39),
    green: ansi(32, 39),
    red: ansi(31, 39),
    yellow: ansi(33, 39),
  };
}

export const plainStyle = makeStyle(false);

const ANSI_PATTERN = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
export const visibleLength = (text: string) => [...text.replace(ANSI_PATTERN, '')].length;

/** The emoji the bot uses, as the Slack client would draw them. */
const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  mag: '🔍',
  warning: '⚠️',
  electric_plug: '🔌',
  hourglass_flowing_sand: '⏳',
  page_facing_up: '📄',
  arrows_counterclockwise: '🔄',
  x: '❌',
  no_entry_sign: '🚫',
  octagonal_sign: '🛑',
  clipboard: '📋',
  link: '🔗',
  satellite_antenna: '📡',
  stopwatch: '⏱️',
};

/** Slack mrkdwn → terminal text: emoji, mentions, links, *bold*, `code`, and the &amp; escapes. */
export function renderMrkdwn(text: string, style: Style, names: Record<string, string> = {}): string {
  return text
    .replace(/:([a-z0-9_+-]+):/g, (match, name: string) => EMOJI[name] ?? match)
    .replace(/<@([A-Z0-9_]+)>/g, (_, id: string) => style.bold(`@${names[id] ?? id}`))
    .replace(
      /<#([A-Z0-9_]+)(?:\|([^>]*))?>/g,
      (_, id: string, label?: string) => `#${label || names[id] || id}`,
    )
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, (_, _url: string, label: string) => label)
    .replace(/<(https?:[^>]+)>/g, (_, url: string) => url)
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, (_, before: string, bold: string) => `${before}${style.bold(bold)}`)
    .replace(/`([^`\n]+)`/g, (_, code: string) => style.code(code))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface TextObject {
  text?: unknown;
}
interface Block {
  type?: unknown;
  block_id?: unknown;
  text?: TextObject;
  fields?: TextObject[];
  elements?: Array<{ type?: unknown; text?: unknown }>;
}

const textOf = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  const text = (value as TextObject | undefined)?.text;
  return typeof text === 'string' ? text : undefined;
};

/** A block's lines (mrkdwn, not yet rendered); buttons as `[Label]`. */
export function blockSource(block: unknown): string[] {
  const b = block as Block;
  switch (b.type) {
    case 'section': {
      const lines = textOf(b.text)?.split('\n') ?? [];
      for (const field of b.fields ?? []) lines.push(...(textOf(field)?.split('\n') ?? []));
      return lines;
    }
    case 'header':
      return textOf(b.text)?.split('\n') ?? [];
    case 'context':
      return [
        (b.elements ?? [])
          .map((element) => textOf(element))
          .filter((t): t is string => t !== undefined)
          .join(' · '),
      ];
    case 'actions':
      return [
        (b.elements ?? []).map((element) => `[${textOf(element.text) ?? String(element.type)}]`).join(' '),
      ];
    case 'divider':
      return ['───'];
    default:
      return [];
  }
}

/** The lines of a message or view: its blocks, or its `text` when it has none. */
export function messageSource(message: { text?: string; blocks?: unknown[] | undefined }): string[] {
  const blocks = message.blocks ?? [];
  if (blocks.length === 0) return (message.text ?? '').split('\n');
  return blocks.flatMap(blockSource);
}

/**
 * Keeps at most `limit` bullet lines in each run of bullets (`• …`), saying how many were left out.
 * Used for the terminal; the thread file keeps everything.
 */
export function capBullets(lines: readonly string[], limit: number): string[] {
  const out: string[] = [];
  let run = 0;
  let hidden = 0;
  const flush = () => {
    if (hidden > 0) out.push(`  (${hidden} more in thread.txt)`);
    run = 0;
    hidden = 0;
  };
  for (const line of lines) {
    if (line.startsWith('• ')) {
      run++;
      if (run > limit) {
        hidden++;
        continue;
      }
    } else {
      flush();
    }
    out.push(line);
  }
  flush();
  return out;
}

/** Word-wraps a rendered line (ANSI-aware) to `width`, continuation lines indented by `indent`. */
export function wrap(line: string, width: number, indent: string): string[] {
  if (visibleLength(line) <= width) return [line];
  const lead = /^\s*/.exec(line)?.[0] ?? '';
  const lines: string[] = [];
  let current = lead;
  for (const word of line.slice(lead.length).split(' ')) {
    const fresh = current === lead || current === indent;
    const candidate = fresh ? `${current}${word}` : `${current} ${word}`;
    if (visibleLength(candidate) > width && !fresh) {
      lines.push(current);
      current = `${indent}${word}`;
    } else {
      current = candidate;
    }
  }
  lines.push(current);
  return lines;
}

/** Prints lines; on a TTY also keeps one live status line at the bottom. */
export class Terminal {
  readonly style: Style;
  /** Whether this terminal gets colours (a TTY, NO_COLOR unset, not a dumb terminal). */
  readonly color: boolean;
  readonly width: number;
  private statusText = '';
  private readonly tty: boolean;
  private muted = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.tty = out.isTTY === true;
    this.color = this.tty && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
    this.style = makeStyle(this.color);
    this.width = Math.max(60, Math.min(this.tty ? (out.columns ?? 100) - 1 : 110, 120));
  }

  /** The reader went away (e.g. `| head` closed the pipe): write nothing more. */
  mute(): void {
    this.muted = true;
  }

  /** A permanent line (wrapped to the terminal's width, continuation lines indented). */
  line(text = '', indent = ''): void {
    this.clearStatus();
    for (const physical of text.split('\n')) {
      this.write(`${wrap(physical, this.width, indent).join('\n')}\n`);
    }
    this.drawStatus();
  }

  /** Replaces the live line (TTY only: elsewhere it would only repeat the permanent lines). */
  status(text: string): void {
    if (!this.tty) return;
    this.statusText = text;
    this.write(`\r\x1b[2K${this.fit(text)}`);
  }

  private write(text: string): void {
    if (!this.muted) this.out.write(text);
  }

  /** Removes the live line for good. */
  endStatus(): void {
    this.clearStatus();
    this.statusText = '';
  }

  private fit(text: string): string {
    return visibleLength(text) <= this.width
      ? text
      : `${text.replace(ANSI_PATTERN, '').slice(0, this.width - 1)}…`;
  }

  private clearStatus(): void {
    if (this.tty && this.statusText) this.write('\r\x1b[2K');
  }

  private drawStatus(): void {
    if (this.tty && this.statusText) this.write(this.fit(this.statusText));
  }
}

/** `12.3 s`, `1 min 05 s`. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** `+12.3s` (relative to the start of the run), padded for alignment. */
export const clock = (ms: number) => `+${(ms / 1000).toFixed(1)}s`.padStart(7);
