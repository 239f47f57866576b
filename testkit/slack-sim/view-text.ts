/**
 * A view's blocks as plain lines, roughly as a reader sees them in Slack: for tests that assert what
 * a user sees, and for the demo's output. Mrkdwn is resolved the way Slack shows it: dates as their
 * fallback, links as `label <url>`, mentions as `@U…` and `#C…`; buttons as `[Label]`.
 */
export function viewText(view: Record<string, unknown> | undefined): string {
  if (!view || !Array.isArray(view.blocks)) return '';
  const lines: string[] = [];
  for (const block of view.blocks as Array<Record<string, unknown>>) {
    switch (block.type) {
      case 'header':
        lines.push(`# ${textOf(block.text)}`);
        break;
      case 'section': {
        const button = buttonLabel(block.accessory);
        lines.push(`${textOf(block.text)}${button ? `  [${button}]` : ''}`);
        break;
      }
      case 'context':
        lines.push(
          `  ${((block.elements as unknown[] | undefined) ?? []).map((element) => textOf(element)).join(' ')}`,
        );
        break;
      case 'actions':
        lines.push(
          ((block.elements as unknown[] | undefined) ?? [])
            .map((element) => `[${buttonLabel(element)}]`)
            .join(' '),
        );
        break;
      case 'divider':
        lines.push('---');
        break;
      default:
        lines.push(`(${String(block.type)})`);
    }
  }
  return lines.join('\n');
}

function buttonLabel(element: unknown): string | undefined {
  const button = element as { type?: string; text?: unknown } | undefined;
  return button?.type === 'button' ? textOf(button.text) : undefined;
}

function textOf(text: unknown): string {
  const object = text as { type?: string; text?: string } | undefined;
  if (typeof object?.text !== 'string') return '';
  if (object.type !== 'mrkdwn') return object.text;
  return object.text
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<@([A-Z0-9_]+)>/g, '@$1')
    .replace(/<#([A-Z0-9_]+)(\|[^>]*)?>/g, '#$1')
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2 <$1>')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
