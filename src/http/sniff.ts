// Content-Type sniffing per the WHATWG MIME Sniffing Standard, with the same table and order
// Go's DetectContentType uses, so both pick the same type for the same bytes.

/** At most this many leading bytes decide the type. */
export const SNIFF_LEN = 512;

const HTML = 'text/html; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const BINARY = 'application/octet-stream';

type Rule =
  /** Case-insensitive tag after leading whitespace, followed by a space or `>`. */
  | { kind: 'html'; tag: Uint8Array }
  /** Plain prefix of the data (no whitespace skipping). */
  | { kind: 'prefix'; bytes: Uint8Array; type: string }
  /** `data[i] & mask[i] === pattern[i]` for every i, optionally after leading whitespace. */
  | { kind: 'masked'; pattern: Uint8Array; mask: Uint8Array; skipWS: boolean; type: string }
  | { kind: 'mp4' };

const bin = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const html = (tag: string): Rule => ({ kind: 'html', tag: bin(tag) });
const prefix = (s: string, type: string): Rule => ({ kind: 'prefix', bytes: bin(s), type });
/** `mask` gives, per byte, 'F' (must equal) or '.' (ignored). */
const masked = (pattern: string, mask: string, type: string, skipWS = false): Rule => ({
  kind: 'masked', pattern: bin(pattern), mask: Uint8Array.from(mask, (c) => (c === 'F' ? 0xff : 0)), skipWS, type,
});

const RULES: readonly Rule[] = [
  ...['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A',
    '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'].map(html),
  masked('<?xml', 'FFFFF', 'text/xml; charset=utf-8', true),
  prefix('%PDF-', 'application/pdf'),
  prefix('%!PS-Adobe-', 'application/postscript'),
  // Byte order marks (the masks need four bytes of data, as Go's do).
  masked('\xfe\xff\0\0', 'FF..', 'text/plain; charset=utf-16be'),
  masked('\xff\xfe\0\0', 'FF..', 'text/plain; charset=utf-16le'),
  masked('\xef\xbb\xbf\0', 'FFF.', TEXT),
  // Images.
  prefix('\0\0\x01\0', 'image/x-icon'),
  prefix('\0\0\x02\0', 'image/x-icon'),
  prefix('BM', 'image/bmp'),
  prefix('GIF87a', 'image/gif'),
  prefix('GIF89a', 'image/gif'),
  masked('RIFF\0\0\0\0WEBPVP', 'FFFF....FFFFFF', 'image/webp'),
  prefix('\x89PNG\r\n\x1a\n', 'image/png'),
  prefix('\xff\xd8\xff', 'image/jpeg'),
  // Audio and video, in the standard's order.
  masked('FORM\0\0\0\0AIFF', 'FFFF....FFFF', 'audio/aiff'),
  masked('ID3', 'FFF', 'audio/mpeg'),
  masked('OggS\0', 'FFFFF', 'application/ogg'),
  masked('MThd\0\0\0\x06', 'FFFFFFFF', 'audio/midi'),
  masked('RIFF\0\0\0\0AVI ', 'FFFF....FFFF', 'video/avi'),
  masked('RIFF\0\0\0\0WAVE', 'FFFF....FFFF', 'audio/wave'),
  { kind: 'mp4' },
  prefix('\x1a\x45\xdf\xa3', 'video/webm'),
  // Fonts: Embedded OpenType has "LP" at offset 34.
  masked('\0'.repeat(34) + 'LP', '.'.repeat(34) + 'FF', 'application/vnd.ms-fontobject'),
  prefix('\0\x01\0\0', 'font/ttf'),
  prefix('OTTO', 'font/otf'),
  prefix('ttcf', 'font/collection'),
  prefix('wOFF', 'font/woff'),
  prefix('wOF2', 'font/woff2'),
  // Archives.
  prefix('\x1f\x8b\x08', 'application/x-gzip'),
  prefix('PK\x03\x04', 'application/zip'),
  prefix('Rar!\x1a\x07\0', 'application/x-rar-compressed'),
  prefix('Rar!\x1a\x07\x01\0', 'application/x-rar-compressed'),
  prefix('\0asm', 'application/wasm'),
];

function isWS(b: number): boolean {
  return b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;
}

function matchRule(rule: Rule, data: Uint8Array, firstNonWS: number): string {
  switch (rule.kind) {
    case 'html': {
      const tag = rule.tag;
      if (data.length - firstNonWS < tag.length + 1) return '';
      for (let i = 0; i < tag.length; i++) {
        let b = data[firstNonWS + i];
        const t = tag[i];
        if (t >= 0x41 && t <= 0x5a) b &= 0xdf; // letters compare case-insensitively
        if (b !== t) return '';
      }
      const next = data[firstNonWS + tag.length];
      return next === 0x20 || next === 0x3e ? HTML : '';
    }
    case 'prefix': {
      const p = rule.bytes;
      if (data.length < p.length) return '';
      for (let i = 0; i < p.length; i++) if (data[i] !== p[i]) return '';
      return rule.type;
    }
    case 'masked': {
      const off = rule.skipWS ? firstNonWS : 0;
      const { pattern, mask } = rule;
      if (data.length - off < pattern.length) return '';
      for (let i = 0; i < pattern.length; i++) if ((data[off + i] & mask[i]) !== pattern[i]) return '';
      return rule.type;
    }
    case 'mp4': {
      if (data.length < 12) return '';
      const box = ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
      if (box % 4 !== 0 || data.length < box) return '';
      if (data[4] !== 0x66 || data[5] !== 0x74 || data[6] !== 0x79 || data[7] !== 0x70) return ''; // "ftyp"
      for (let i = 8; i + 3 <= box; i += 4) {
        if (i === 12) continue; // the major brand's version number
        if (data[i] === 0x6d && data[i + 1] === 0x70 && data[i + 2] === 0x34) return 'video/mp4'; // "mp4"
      }
      return '';
    }
  }
}

/**
 * The MIME type of `data` judged from at most its first 512 bytes (Go's DetectContentType).
 * Always a valid type: `application/octet-stream` when nothing more specific fits.
 */
export function detectContentType(data: Uint8Array): string {
  if (data.length > SNIFF_LEN) data = data.subarray(0, SNIFF_LEN);
  let firstNonWS = 0;
  while (firstNonWS < data.length && isWS(data[firstNonWS])) firstNonWS++;
  for (const rule of RULES) {
    const t = matchRule(rule, data, firstNonWS);
    if (t !== '') return t;
  }
  // Text unless a byte the standard calls binary appears after the leading whitespace.
  for (let i = firstNonWS; i < data.length; i++) {
    const b = data[i];
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return BINARY;
  }
  return TEXT;
}
