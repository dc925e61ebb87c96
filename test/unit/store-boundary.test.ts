/**
 * The whole table behind lib/store: no DynamoDB command is built outside it, and no key prefix
 * or attribute/index name of the key module is typed out anywhere but lib/store/keys.ts.
 * Reads the sources as text; scripts/ and test/ are outside the rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE, ENTITY, IDEMPOTENCY, INDEX } from '#lib/store/keys.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

const SOURCES = [...sourcesUnder('lib'), ...sourcesUnder('functions')].sort();
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const lineOf = (source: string, index: number) => source.slice(0, index).split('\n').length;

interface Literal {
  text: string;
  line: number;
}

/**
 * The string literals of a TypeScript source (a template literal as its text parts), skipping
 * comments and regular expressions.
 */
function stringLiterals(source: string): Literal[] {
  const found: Literal[] = [];
  let i = 0;
  // The last significant character: tells a regular expression from a division.
  let previous = '';
  const regexMayFollow = () =>
    previous === '' ||
    '(,=:[!&|?{};+-*%<>~^'.includes(previous) ||
    /\b(return|typeof|case|in|of)$/.test(source.slice(Math.max(0, i - 7), i).trimEnd());

  const quoted = (quote: string) => {
    const start = i;
    i++;
    let text = '';
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\') {
        text += source.slice(i, i + 2);
        i += 2;
      } else {
        text += source[i++];
      }
    }
    i++;
    found.push({ text, line: lineOf(source, start) });
  };

  const template = () => {
    i++;
    let start = i;
    let text = '';
    while (i < source.length && source[i] !== '`') {
      if (source[i] === '\\') {
        text += source.slice(i, i + 2);
        i += 2;
      } else if (source[i] === '$' && source[i + 1] === '{') {
        found.push({ text, line: lineOf(source, start) });
        text = '';
        i += 2;
        code(true);
        i++;
        start = i;
      } else {
        text += source[i++];
      }
    }
    found.push({ text, line: lineOf(source, start) });
    i++;
  };

  /** Code up to the end, or (inside a template's `${}`) up to its closing brace. */
  const code = (untilBrace: boolean) => {
    let depth = 0;
    previous = '';
    while (i < source.length) {
      const c = source[i] as string;
      const next = source[i + 1];
      if (c === '/' && next === '/') {
        i = source.indexOf('\n', i);
        if (i < 0) i = source.length;
      } else if (c === '/' && next === '*') {
        i = source.indexOf('*/', i) + 2;
        if (i < 2) i = source.length;
      } else if (c === "'" || c === '"') {
        quoted(c);
        previous = c;
      } else if (c === '`') {
        template();
        previous = c;
      } else if (c === '/' && regexMayFollow()) {
        i++;
        let inClass = false;
        while (i < source.length && (inClass || source[i] !== '/')) {
          if (source[i] === '\\') i++;
          else if (source[i] === '[') inClass = true;
          else if (source[i] === ']') inClass = false;
          i++;
        }
        i++;
        previous = '/';
      } else {
        if (c === '{') depth++;
        if (c === '}') {
          if (untilBrace && depth === 0) return;
          depth--;
        }
        if (!/\s/.test(c)) previous = c;
        i++;
      }
    }
  };

  code(false);
  return found;
}

/** Every name the key module defines: attributes, indexes, entity kinds, idempotency records. */
const NAMES = new Set<string>([
  ...Object.values(ATTRIBUTE),
  ...Object.values(INDEX).map((index) => index.name),
  ...Object.values(ENTITY),
  IDEMPOTENCY.partition,
  IDEMPOTENCY.expiryAttribute,
  // Not the data attribute: `response` is also every operation's own field.
  IDEMPOTENCY.attributes.inProgressExpiry,
  IDEMPOTENCY.attributes.status,
  IDEMPOTENCY.attributes.payloadHash,
]);
/**
 * Compound names (`TrialDuePK`, `expiresAt`) are no ordinary word, so they are found inside
 * expressions too; `PK`, `SK` or `entity` only as a whole literal, since condition expressions
 * name the table's own key (`attribute_not_exists(PK)`).
 */
const COMPOUND = [...NAMES].filter((name) => /[a-z][A-Z]/.test(name));
/** `PARTNER#`, `ACCOUNT#`, `ATTEMPTS#`…: the start of a key. */
const KEY_PREFIX = /(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]*#/;

const STORE = 'lib/store/';
const KEY_MODULE = 'lib/store/keys.ts';
/** Besides lib/store: the clients themselves. */
const COMMANDS_ALLOWED = ['lib/clients/'];

/** Files that may type out some of the key module's names; none today. */
const ALLOWED_NAMES: Record<string, string[]> = {};

function dynamoDbCommands(file: string, source: string): string[] {
  const imported = new Set<string>();
  for (const match of source.matchAll(
    /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"]@aws-sdk\/(?:lib-dynamodb|client-dynamodb)['"]/g,
  )) {
    for (const name of (match[1] ?? '').split(',')) {
      const bare =
        name
          .trim()
          .split(/\s+as\s+/)
          .at(-1) ?? '';
      if (/Command$/.test(bare)) imported.add(bare);
    }
  }
  const found: string[] = [];
  for (const match of source.matchAll(/\bnew\s+(\w+)\s*\(/g)) {
    if (imported.has(match[1] ?? '')) {
      found.push(`${file}:${lineOf(source, match.index)} new ${match[1]}(`);
    }
  }
  for (const match of source.matchAll(/\b(documentClient|dynamoDb)\s*\.\s*send\s*\(/g)) {
    found.push(`${file}:${lineOf(source, match.index)} ${match[1]}.send(`);
  }
  return found;
}

function keyLiterals(file: string, source: string): string[] {
  const allowed = new Set(ALLOWED_NAMES[file] ?? []);
  const found: string[] = [];
  for (const { text, line } of stringLiterals(source)) {
    const prefix = KEY_PREFIX.exec(text);
    if (prefix) found.push(`${file}:${line} key prefix ${prefix[0]} in '${text}'`);
    if (NAMES.has(text) && !allowed.has(text)) found.push(`${file}:${line} name '${text}'`);
    for (const name of COMPOUND) {
      if (text !== name && !allowed.has(name) && new RegExp(`\\b${name}\\b`).test(text)) {
        found.push(`${file}:${line} name ${name} in '${text}'`);
      }
    }
  }
  return found;
}

describe('the store boundary', () => {
  it('reads every source of lib/ and functions/', () => {
    expect(SOURCES).toContain('lib/auth/api-keys.ts');
    expect(SOURCES).toContain('functions/authorizer.ts');
    expect(SOURCES).toContain(KEY_MODULE);
  });

  it('finds literals in strings and templates but not in comments or regular expressions', () => {
    const source = [
      "// 'PK' in a comment",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
      "const a = /'PK'/.test(x) ? 'SK' : `A${'entity'}B${`C${1}`}D`;",
      '/* "TrialDuePK" */ const b = x / 2 / 3;',
    ].join('\n');
    expect(stringLiterals(source).map((literal) => literal.text)).toEqual([
      'SK',
      'A',
      'entity',
      'B',
      'C',
      '',
      'D',
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
    expect(keyLiterals('lib/x.ts', "const k = `APIKEY#${hash}`; const n = 'PK';")).toHaveLength(2);
    expect(keyLiterals('lib/x.ts', "'SET a = :a, expiresAt = :x'")).toHaveLength(1);
    expect(keyLiterals('lib/x.ts', "'attribute_not_exists(PK)'; '#status'")).toEqual([]);
    expect(
      dynamoDbCommands(
        'lib/x.ts',
        "import { GetCommand } from '@aws-sdk/lib-dynamodb';\nawait documentClient.send(new GetCommand({}));",
      ),
    ).toHaveLength(2);
    // SES is no DynamoDB command.
    expect(
      dynamoDbCommands(
        'lib/x.ts',
        "import { SendEmailCommand } from '@aws-sdk/client-ses';\nnew SendEmailCommand({});",
      ),
    ).toEqual([]);
  });

  it('builds DynamoDB commands only in lib/store and lib/clients', () => {
    const outside = SOURCES.filter(
      (file) => !file.startsWith(STORE) && !COMMANDS_ALLOWED.some((dir) => file.startsWith(dir)),
    );
    expect(outside.flatMap((file) => dynamoDbCommands(file, read(file)))).toEqual([]);
  });

  it('types out key prefixes and attribute or index names only in lib/store/keys.ts', () => {
    const others = SOURCES.filter((file) => file !== KEY_MODULE);
    expect(others.flatMap((file) => keyLiterals(file, read(file)))).toEqual([]);
  });
});
