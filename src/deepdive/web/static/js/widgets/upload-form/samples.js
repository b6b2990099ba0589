// The widget's sample files and the bytes of a picked file, as the sandbox's request wants them
// (base64). No DOM here. The samples are the same bytes the course walk sends
// (`Sample.data()` in course/interactives/upload_form.py).

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const TEXT_LINE = new TextEncoder().encode("A line of plain text, repeated to the size asked for.\n");

/** The bytes of a sample `{content, size_kib}`. */
export function sampleBytes({ content, size_kib: sizeKib }) {
  const size = sizeKib * 1024;
  if (content === "empty") return new Uint8Array(0);
  if (content === "png") {
    if (!size) return Uint8Array.from(PNG_SIGNATURE);
    const bytes = new Uint8Array(size);
    bytes.set(PNG_SIGNATURE.slice(0, size));
    return bytes;
  }
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = content === "text" ? TEXT_LINE[i % TEXT_LINE.length] : i % 256;
  return bytes;
}

/** Base64 of `bytes` (a Uint8Array), in slices so that large files do not overflow the stack. */
export function toBase64(bytes) {
  let binary = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}

/** "12 bytes", "4.0 KiB", "2.00 MiB". */
export function formatSize(size) {
  if (size < 1024) return `${size} byte${size === 1 ? "" : "s"}`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(2)} MiB`;
}

/** Why a file cannot be sent (over the cap), or null. */
export function refusal(name, size, maxKib) {
  if (size <= maxKib * 1024) return null;
  return `"${name.length > 80 ? name.slice(0, 80) + "…" : name}" is ${formatSize(size)}: the course sends files of up to ${maxKib / 1024} MiB, so nothing was sent. Pick a smaller file.`;
}
