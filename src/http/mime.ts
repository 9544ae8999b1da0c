// MIME types by file extension (Go's mime.TypeByExtension with its built-in table, plus the
// common types a system mime.types file would add). `text/*` types carry `charset=utf-8`.

const table = new Map<string, string>();

/**
 * Registers `type` for `ext` (with its leading dot, e.g. `.md`). Like Go, a `text/*` type
 * without a charset gets `; charset=utf-8`.
 */
export function addExtensionType(ext: string, type: string): void {
  if (!ext.startsWith('.')) throw new TypeError(`mime: extension ${JSON.stringify(ext)} missing leading dot`);
  if (type.startsWith('text/') && !/;\s*charset=/i.test(type)) type += '; charset=utf-8';
  table.set(ext.toLowerCase(), type);
}

for (const [ext, type] of Object.entries({
  // Go's built-in table.
  '.avif': 'image/avif', '.css': 'text/css', '.gif': 'image/gif', '.htm': 'text/html',
  '.html': 'text/html', '.jpeg': 'image/jpeg', '.jpg': 'image/jpeg', '.js': 'text/javascript',
  '.json': 'application/json', '.mjs': 'text/javascript', '.pdf': 'application/pdf',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.wasm': 'application/wasm', '.webp': 'image/webp',
  '.xml': 'text/xml',
  // Common entries of a system mime.types.
  '.txt': 'text/plain', '.text': 'text/plain', '.md': 'text/markdown', '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values', '.ics': 'text/calendar', '.vtt': 'text/vtt',
  '.map': 'application/json', '.webmanifest': 'application/manifest+json', '.jsonld': 'application/ld+json',
  '.ico': 'image/vnd.microsoft.icon', '.bmp': 'image/bmp', '.tif': 'image/tiff', '.tiff': 'image/tiff',
  '.apng': 'image/apng', '.jxl': 'image/jxl',
  '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.oga': 'audio/ogg', '.ogg': 'audio/ogg', '.opus': 'audio/ogg',
  '.flac': 'audio/flac', '.m4a': 'audio/mp4', '.aac': 'audio/aac', '.mid': 'audio/midi',
  '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.webm': 'video/webm', '.ogv': 'video/ogg',
  '.mov': 'video/quicktime', '.avi': 'video/x-msvideo', '.mkv': 'video/x-matroska',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.zip': 'application/zip', '.gz': 'application/gzip', '.tgz': 'application/gzip',
  '.tar': 'application/x-tar', '.bz2': 'application/x-bzip2', '.xz': 'application/x-xz',
  '.zst': 'application/zstd', '.7z': 'application/x-7z-compressed', '.rar': 'application/vnd.rar',
  '.doc': 'application/msword', '.rtf': 'application/rtf', '.epub': 'application/epub+zip',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.odt': 'application/vnd.oasis.opendocument.text', '.sh': 'application/x-sh',
  '.xhtml': 'application/xhtml+xml', '.atom': 'application/atom+xml', '.rss': 'application/rss+xml',
  '.yaml': 'application/yaml', '.yml': 'application/yaml', '.toml': 'application/toml',
  '.bin': 'application/octet-stream', '.exe': 'application/octet-stream',
})) addExtensionType(ext, type);

/**
 * The MIME type for extension `ext` (with its leading dot, as `path.extname` gives it), or ''
 * when unknown. Lookup is case-insensitive.
 */
export function typeByExtension(ext: string): string {
  if (ext === '') return '';
  return table.get(ext) ?? table.get(ext.toLowerCase()) ?? '';
}
