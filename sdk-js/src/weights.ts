// Expands a translation model's downloaded weights (weights.q8, format KEFUQ8W1 written by
// scripts/train/mt/export_onnx.py) into the external-data file `weights.bin` that both ONNX
// graphs reference. fp32 matrices travel as int8 with one fp32 scale per row or per column (4x
// smaller download) and are expanded to fp32; int8 tensors (those the graphs multiply or look up
// as int8) are copied as they are. Layout, little-endian:
//   "KEFUQ8W1", u32 expanded bytes, u32 tensor count, then per tensor:
//   u32 offset in weights.bin, u8 kind (0 fp32, 1 int8 + scale per row, 2 int8 + scale per
//   column, 3 int8 as is), u32 rows, u32 cols, payload (fp32 values; rows*cols int8 then the
//   scales; or rows*cols int8), zero padding to a multiple of 4.
import { DataLossError } from './errors.js';

const MAGIC = 'KEFUQ8W1';

export function expandWeights(pack: Uint8Array, name = 'weights.q8'): Uint8Array {
  const fail = (what: string): never => {
    throw new DataLossError(`${name}: ${what} (not a KEFUQ8W1 weight pack, or truncated)`);
  };
  if (pack.byteLength < 16) fail('too short');
  for (let i = 0; i < MAGIC.length; i++) if (pack[i] !== MAGIC.charCodeAt(i)) fail('bad magic');
  const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  const total = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (total % 4 !== 0) fail('expanded size is not a whole number of floats');
  const out = new Uint8Array(total);
  const outView = new DataView(out.buffer);
  let p = 16;
  for (let t = 0; t < count; t++) {
    if (p + 13 > pack.byteLength) fail(`tensor ${t}: header past the end`);
    const offset = view.getUint32(p, true);
    const kind = pack[p + 4];
    const rows = view.getUint32(p + 5, true);
    const cols = view.getUint32(p + 9, true);
    p += 13;
    const n = rows * cols;
    if (kind === 3) {
      if (offset + n > total) fail(`tensor ${t}: lies outside the expanded file`);
      if (p + n > pack.byteLength) fail(`tensor ${t}: data past the end`);
      out.set(pack.subarray(p, p + n), offset);
      p += n;
      while (p % 4) p++;
      continue;
    }
    if (offset % 4 !== 0 || offset + n * 4 > total) fail(`tensor ${t}: lies outside the expanded file`);
    if (kind === 0) {
      if (p + n * 4 > pack.byteLength) fail(`tensor ${t}: data past the end`);
      out.set(pack.subarray(p, p + n * 4), offset);
      p += n * 4;
    } else if (kind === 1 || kind === 2) {
      const scales = kind === 1 ? rows : cols;
      if (p + n + scales * 4 > pack.byteLength) fail(`tensor ${t}: data past the end`);
      const q = new Int8Array(pack.buffer, pack.byteOffset + p, n);
      const s = p + n;
      for (let r = 0, i = 0; r < rows; r++) {
        const rowScale = kind === 1 ? view.getFloat32(s + r * 4, true) : 0;
        for (let c = 0; c < cols; c++, i++) {
          const scale = kind === 1 ? rowScale : view.getFloat32(s + c * 4, true);
          outView.setFloat32(offset + i * 4, Math.fround(q[i] * scale), true);
        }
      }
      p += n + scales * 4;
    } else {
      fail(`tensor ${t}: unknown kind ${kind}`);
    }
    while (p % 4) p++;
  }
  if (p !== pack.byteLength) fail('trailing bytes');
  return out;
}
