// A small flag parser shared by the subcommands: `--name value`, `--name=value`, `-x value`,
// boolean flags, repeatable flags, two-value flags (`--tls cert key`) and `--` to end flags.
// Anything it does not know is a UsageError, which the dispatcher turns into exit code 2.

/** A bad command line: printed as one line plus a hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One flag a subcommand accepts. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `timeout`. */
  name: string;
  /** One-letter alias without the dash, e.g. `X`. */
  short?: string;
  /** How many values follow the flag: 0 (boolean), 1 or 2. */
  arity?: 0 | 1 | 2;
  /** May be given more than once (values are collected in order). */
  multi?: boolean;
}

/** What parse returns: flag values by long name, and the positional arguments. */
export interface Parsed {
  flags: Map<string, string[]>;
  args: string[];
}

/** Parses `argv` against `specs`. `--help`/`-h` is always accepted as a boolean flag `help`. */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): Parsed {
  const all = [{ name: 'help', short: 'h', arity: 0 as const }, ...specs];
  const byLong = new Map(all.map((s) => [s.name, s]));
  const byShort = new Map(all.filter((s) => s.short !== undefined).map((s) => [s.short!, s]));
  const flags = new Map<string, string[]>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-' || !a.startsWith('-')) {
      args.push(a);
      continue;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (eq >= 0) inline = a.slice(eq + 1);
      spec = byLong.get(name);
      if (spec === undefined) throw new UsageError(`unknown flag --${name}`);
    } else {
      spec = byShort.get(a.slice(1, 2));
      if (spec === undefined) throw new UsageError(`unknown flag ${a.slice(0, 2)}`);
      if (a.length > 2) inline = a.slice(2);
    }
    const arity = spec.arity ?? 0;
    const shown = a.startsWith('--') ? `--${spec.name}` : `-${spec.short}`;
    let values: string[];
    if (arity === 0) {
      if (inline !== undefined) throw new UsageError(`flag ${shown} takes no value`);
      values = ['true'];
    } else {
      values = inline !== undefined ? [inline] : [];
      while (values.length < arity) {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`flag ${shown} needs ${arity === 1 ? 'a value' : `${arity} values`}`);
        values.push(v);
      }
    }
    const prev = flags.get(spec.name);
    if (prev !== undefined && !spec.multi && arity > 0) throw new UsageError(`flag ${shown} given twice`);
    flags.set(spec.name, spec.multi ? [...(prev ?? []), ...values] : values);
  }
  return { flags, args };
}

/** The single value of a flag, or undefined. */
export function flagValue(p: Parsed, name: string): string | undefined {
  return p.flags.get(name)?.[0];
}

/** Whether a boolean flag was given. */
export function flagSet(p: Parsed, name: string): boolean {
  return p.flags.has(name);
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in ms: Go's syntax (`300ms`, `1.5s`, `1m30s`) or a bare number of seconds (as
 * curl's `--max-time`). `flag` names the flag in the error.
 */
export function parseDuration(s: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (m === null) throw new UsageError(`invalid duration ${JSON.stringify(s)} for ${flag} (want e.g. 500ms, 2s, 1m)`);
    total += Number(m[1]) * UNITS[m[2]!]!;
    i = re.lastIndex;
  }
  if (s === '') throw new UsageError(`invalid duration "" for ${flag}`);
  return total;
}
