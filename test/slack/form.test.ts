import { describe, expect, it } from 'vitest';
import { readForm } from '../../src/slack/form.js';
import { formValues } from '../../testkit/slack-sim/driver.js';

describe('reading the form', () => {
  it('maps the checkboxes and providers to the run’s options', () => {
    const read = readForm(
      formValues({
        v2AppId: 'v2',
        v3AppId: 'v3',
        title: '  Acme  ',
        environment: 'Staging',
        description: 'Hello',
        options: ['microsoft_placeholders'],
        providers: ['google', 'yahoo'],
      }),
    );
    expect(read).toEqual({
      ok: true,
      form: {
        v2AppId: 'v2',
        v3AppId: 'v3',
        title: 'Acme',
        environment: 'Staging',
        description: 'Hello',
        options: {
          placeholders: false,
          microsoftPlaceholders: true,
          skipInactiveBilling: false,
          providers: ['google', 'yahoo'],
        },
      },
    });
  });

  it('treats no provider, or all of them, as all providers', () => {
    for (const providers of [[], ['google', 'microsoft', 'imap', 'icloud', 'yahoo', 'other']]) {
      const read = readForm(formValues({ v2AppId: 'v2', v3AppId: 'v3', title: 't', providers }));
      expect(read.ok && read.form.options.providers).toBeUndefined();
    }
  });

  it('answers every problem at its block', () => {
    const read = readForm(
      formValues({ title: '', environment: 'Prod', description: 'x'.repeat(501), providers: ['gmail'] }),
    );
    expect(read).toEqual({
      ok: false,
      errors: {
        v2_app: 'Choose the v2 application to migrate',
        v3_app: 'Choose the destination v3 application',
        title: 'Enter a title (1 to 64 characters)',
        environment: 'Choose Development, Staging or Production',
        description: 'Keep the description to 500 characters or fewer (it has 501)',
        providers: 'Unknown provider "gmail"',
      },
    });
  });

  it('says why a title of emoji is longer than it looks (each counts two)', () => {
    const read = readForm(formValues({ title: '🦊'.repeat(33) }));
    expect(read.ok).toBe(false);
    expect(read.ok ? undefined : read.errors.title).toBe(
      'Keep the title to 64 characters or fewer (it has 66; emoji and some symbols count as two)',
    );
  });

  it('refuses state that is not what Slack sends', () => {
    expect(readForm({ v2_app: 'not an object' })).toEqual({
      ok: false,
      errors: { v2_app: 'The form could not be read; open /migrate again' },
    });
  });
});
