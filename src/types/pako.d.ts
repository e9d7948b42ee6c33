/** The part of pako (zlib in JavaScript, 1.x) the workbook writer uses. */
declare module 'pako' {
  const pako: {
    deflateRaw(data: Uint8Array, options?: { level?: number }): Uint8Array;
  };
  export default pako;
}
