import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { detectContentType } from '../../src/http/sniff.js';
import { typeByExtension, addExtensionType } from '../../src/http/mime.js';

const HTML = 'text/html; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const BIN = 'application/octet-stream';

const b = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

// [name, bytes (latin1 string), expected type]
const golden: [string, string | Uint8Array, string][] = [
  ['empty', '', TEXT],
  ['binary', '\x01\x02\x03', BIN],
  ['HTML mixed case', '<HtMl><bOdY>blah blah blah</body></html>', HTML],
  ['HTML upper', '<HTML></HTML>', HTML],
  ['doctype after spaces', '   <!DOCTYPE HTML>...', HTML],
  ['html after CRLF', '\r\n<html>...', HTML],
  ['html after tab and form feed', '\t\x0c<html>', HTML],
  ['<head', '<head>', HTML],
  ['<script', '<script src=x>', HTML],
  ['<iframe', '<iframe >', HTML],
  ['<h1', '<h1>Title', HTML],
  ['<div', '<div>', HTML],
  ['<font', '<font>', HTML],
  ['<table', '<table>', HTML],
  ['<a', '<a href=x>', HTML],
  ['<style', '<style>', HTML],
  ['<title', '<title>', HTML],
  ['<b', '<b>bold', HTML],
  ['<body', '<body>', HTML],
  ['<br', '<br>', HTML],
  ['<p', '<p>para', HTML],
  ['comment', '<!-- c -->', HTML],
  ['tag needs a terminator: <pre is not <p', '<pre>', TEXT],
  ['tag needs a terminator: <htmlx', '<htmlx>', TEXT],
  ['tag cut at end of data', '<html', TEXT],
  ['tag followed by space', '<html lang=en>', HTML],
  ['plain text with snowman (UTF-8)', new TextEncoder().encode('This is not HTML. It has ☃ though.'), TEXT],
  ['text with ESC is still text', 'a\x1bb', TEXT],
  ['vertical tab is binary', 'a\x0bb', BIN],
  ['0x1C is binary', 'a\x1cb', BIN],
  ['only whitespace', ' \t\r\n\x0c', TEXT],
  ['XML', '\n<?xml!', 'text/xml; charset=utf-8'],
  ['XML is case-sensitive', '<?XML ', TEXT],
  ['PDF', '%PDF-1.7\n', 'application/pdf'],
  ['PDF not after whitespace', ' %PDF-1.7', TEXT],
  ['PostScript', '%!PS-Adobe-3.0', 'application/postscript'],
  ['UTF-16BE BOM', '\xfe\xff\x00h', 'text/plain; charset=utf-16be'],
  ['UTF-16LE BOM', '\xff\xfeh\x00', 'text/plain; charset=utf-16le'],
  ['UTF-8 BOM', '\xef\xbb\xbfabc', TEXT],
  ['UTF-16 BOM too short: high bytes are text', '\xfe\xff', TEXT],
  ['ICO', '\x00\x00\x01\x00\x01\x00', 'image/x-icon'],
  ['CUR', '\x00\x00\x02\x00\x01\x00', 'image/x-icon'],
  ['BMP', 'BMxxxx', 'image/bmp'],
  ['GIF87a', 'GIF87a', 'image/gif'],
  ['GIF89a', 'GIF89a...', 'image/gif'],
  ['WEBP', 'RIFF\x00\x00\x00\x00WEBPVP8 ', 'image/webp'],
  ['PNG', '\x89PNG\x0d\x0a\x1a\x0a\x00', 'image/png'],
  ['JPEG', '\xff\xd8\xff\xe0', 'image/jpeg'],
  ['AIFF', 'FORM\x00\x00\x00\x00AIFF', 'audio/aiff'],
  ['MP3 with ID3', 'ID3\x03\x00', 'audio/mpeg'],
  ['Ogg', 'OggS\x00\x02', 'application/ogg'],
  ['Ogg needs the NUL', 'OggS\x01', BIN],
  ['MIDI', 'MThd\x00\x00\x00\x06\x00\x01', 'audio/midi'],
  ['AVI', 'RIFF\x00\x00\x00\x00AVI LIST', 'video/avi'],
  ['WAVE', 'RIFF\xb8\x0b\x00\x00WAVEfmt ', 'audio/wave'],
  ['MP4', '\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom<\x06t\xbfmdat', 'video/mp4'],
  ['MP4 brand later in the box', '\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41', 'video/mp4'],
  ['MP4 box size not a multiple of 4', '\x00\x00\x00\x19ftypmp42\x00\x00\x00\x00mp42isom<\x06t\xbfmdat!', BIN],
  ['MP4 box larger than the data', '\x00\x00\x01\x40ftypmp42\x00\x00\x00\x00', BIN],
  ['WebM', '\x1a\x45\xdf\xa3\x01', 'video/webm'],
  ['EOT', '\x00'.repeat(34) + 'LP', 'application/vnd.ms-fontobject'],
  ['EOT ignores the first 34 bytes', 'x'.repeat(34) + 'LP', 'application/vnd.ms-fontobject'],
  ['TTF', '\x00\x01\x00\x00\x00', 'font/ttf'],
  ['OTF', 'OTTO\x00', 'font/otf'],
  ['TTC', 'ttcf\x00', 'font/collection'],
  ['WOFF', 'wOFF\x00', 'font/woff'],
  ['WOFF2', 'wOF2\x00', 'font/woff2'],
  ['gzip', '\x1f\x8b\x08\x00', 'application/x-gzip'],
  ['zip', 'PK\x03\x04\x14', 'application/zip'],
  ['RAR 1.5-4', 'Rar!\x1a\x07\x00', 'application/x-rar-compressed'],
  ['RAR 5', 'Rar!\x1a\x07\x01\x00', 'application/x-rar-compressed'],
  ['not RAR 1.5-4', 'Rar \x1a\x07\x00', BIN],
  ['not RAR 5', 'Rar \x1a\x07\x01\x00', BIN],
  ['WASM', '\x00asm\x01\x00\x00\x00', 'application/wasm'],
  ['only the first 512 bytes count', 'a'.repeat(512) + '\x00', TEXT],
  ['byte 511 still counts', 'a'.repeat(511) + '\x00', BIN],
  ['html after 511 spaces is cut', ' '.repeat(508) + '<html>', TEXT],
];

describe('detectContentType golden table', () => {
  for (const [name, input, want] of golden) {
    test(name, () => {
      const data = typeof input === 'string' ? b(input) : input;
      assert.equal(detectContentType(data), want);
    });
  }
  test('does not modify or over-read its input', () => {
    const data = b('<html>' + 'x'.repeat(2000));
    const copy = Uint8Array.from(data);
    assert.equal(detectContentType(data.subarray(0, 6)), HTML); // '<html' then the '>' terminator
    assert.equal(detectContentType(data.subarray(0, 5)), TEXT); // no byte after the tag name
    assert.deepEqual(data, copy);
  });
});

describe('typeByExtension', () => {
  const cases: [string, string][] = [
    ['.html', 'text/html; charset=utf-8'], ['.htm', 'text/html; charset=utf-8'], ['.HTML', 'text/html; charset=utf-8'],
    ['.css', 'text/css; charset=utf-8'], ['.js', 'text/javascript; charset=utf-8'], ['.mjs', 'text/javascript; charset=utf-8'],
    ['.json', 'application/json'], ['.png', 'image/png'], ['.jpg', 'image/jpeg'], ['.jpeg', 'image/jpeg'],
    ['.gif', 'image/gif'], ['.svg', 'image/svg+xml'], ['.wasm', 'application/wasm'], ['.webp', 'image/webp'],
    ['.avif', 'image/avif'], ['.pdf', 'application/pdf'], ['.xml', 'text/xml; charset=utf-8'],
    ['.txt', 'text/plain; charset=utf-8'], ['.md', 'text/markdown; charset=utf-8'], ['.mp4', 'video/mp4'],
    ['.woff2', 'font/woff2'], ['.nope', ''], ['', ''], ['html', ''],
  ];
  for (const [ext, want] of cases) test(`${JSON.stringify(ext)} → ${JSON.stringify(want)}`, () => assert.equal(typeByExtension(ext), want));

  test('addExtensionType adds charset to text types and needs the dot', () => {
    addExtensionType('.gonet-test', 'text/x-gonet');
    assert.equal(typeByExtension('.GONET-TEST'), 'text/x-gonet; charset=utf-8');
    addExtensionType('.gonet-bin', 'application/x-gonet');
    assert.equal(typeByExtension('.gonet-bin'), 'application/x-gonet');
    assert.throws(() => addExtensionType('gonet', 'a/b'), TypeError);
  });
});
